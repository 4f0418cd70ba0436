/*
 * The child of the spawn benchmark (spawn_wait_insns, user/bench/bench.c):
 * its entry point makes the exit system call at once, the counterpart of
 * the Linux benchmark's child without libc.  Programs named *_bare are
 * linked without crt0 and the runtime (user/user.mk).  It uses no stack,
 * so it asks for the smallest, one page (lib/abi/note.h), as the Linux
 * child's stack is one page until it grows.
 */
#include "abi/note.h"
#include "syscall.h"

CAPOS_NOTE_STACK_SIZE(4096, stack_note);

/* The exit code is read from a constant into a variable, so the image has
 * the text, read-only and writable segments of every capOS program (the
 * loader refuses an empty one) and the spawn loads a typical small image.
 * The empty asm hides the constant's value from the compiler, which would
 * otherwise fold the load away. */
static const int32_t exit_code = 0;
static volatile int32_t exit_status = -1;

__attribute__((noreturn)) void _start(void);

__attribute__((noreturn)) void _start(void)
{
    const int32_t *code = &exit_code;
    __asm__("" : "+r"(code));
    exit_status = *code;
    capos_sys_exit(exit_status);
}
