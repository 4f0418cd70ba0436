/*
 * The child of the spawn benchmark (spawn_wait_insns, user/bench/bench.c):
 * its entry point makes the exit system call at once, the counterpart of
 * the Linux benchmark's child without libc (rt/bare_exit.h).  It uses no
 * stack, so it asks for the smallest, one page (lib/abi/note.h), as the
 * Linux child's stack is one page until it grows.
 */
#include "abi/note.h"

CAPOS_NOTE_STACK_SIZE(4096, stack_note);

#define BARE_EXIT_CODE 0
#include "bare_exit.h"
