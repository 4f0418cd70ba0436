/*
 * bare_exit.h: the entry point of a *_bare program (linked without crt0
 * and the runtime, user/user.mk) that makes the exit system call at once
 * with the status BARE_EXIT_CODE, which the program defines before it
 * includes this header, once.
 *
 * The code is read from a constant into a variable, so the image has the
 * text, read-only and writable segments of every capOS program (the
 * loader refuses an empty one) and a spawn loads a typical small image.
 * The empty asm hides the constant's value from the compiler, which would
 * otherwise fold the load away.
 */
#ifndef CAPOS_USER_RT_BARE_EXIT_H
#define CAPOS_USER_RT_BARE_EXIT_H

#include "syscall.h"

#ifndef BARE_EXIT_CODE
#error "define BARE_EXIT_CODE before including bare_exit.h"
#endif

static const int32_t exit_code = BARE_EXIT_CODE;
static volatile int32_t exit_status = -1;

__attribute__((noreturn)) void _start(void);

__attribute__((noreturn)) void _start(void)
{
    const int32_t *code = &exit_code;
    __asm__("" : "+r"(code));
    exit_status = *code;
    capos_sys_exit(exit_status);
}

#endif
