/*
 * stack_note_bad_bare: a program whose stack note asks for 5000 bytes, not
 * a whole number of pages (lib/abi/note.h): the kernel must refuse to
 * start it (vm_hostile's stack-note case), so its entry point never runs.
 * Linked without crt0 and the runtime (user/user.mk); like spawnee_bare it
 * reads a constant into a variable so that its image has the text,
 * read-only and writable segments the loader expects.
 */
#include "abi/note.h"
#include "syscall.h"

CAPOS_NOTE_STACK_SIZE(5000, stack_note);

static const int32_t exit_code = 3;
static volatile int32_t exit_status = -1;

__attribute__((noreturn)) void _start(void);

__attribute__((noreturn)) void _start(void)
{
    const int32_t *code = &exit_code;
    __asm__("" : "+r"(code));
    exit_status = *code;
    capos_sys_exit(exit_status);
}
