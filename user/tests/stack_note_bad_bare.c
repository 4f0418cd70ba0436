/*
 * stack_note_bad_bare: a program whose stack note asks for 5000 bytes, not
 * a whole number of pages (lib/abi/note.h): the kernel must refuse to
 * start it (vm_hostile's stack-note case), so its entry point, which would
 * exit with 3 at once (rt/bare_exit.h), never runs.
 */
#include "abi/note.h"

CAPOS_NOTE_STACK_SIZE(5000, stack_note);

#define BARE_EXIT_CODE 3
#include "bare_exit.h"
