/*
 * Entry of a POSIX program (linked by tools/capos-cc in place of musl's
 * crt1.o).  The kernel starts the first thread at _start with
 *   rdi = the CapSet address, rsi = the thread's ring, rdx = the cap id of
 *   its ThreadControl, rsp = the top of the stack, every other register 0.
 * _start ends backtraces here, aligns the stack for the C call and hands
 * everything to __capos_posix_start (start.c), which never returns, with
 * main's address as the fourth argument: this reference is what links main
 * in when it is in an archive.
 */
    .section .text._start, "ax"
    .global _start
    .type _start, @function
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    movq $main, %rcx
    call __capos_posix_start
    ud2
    .size _start, . - _start
