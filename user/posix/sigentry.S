/*
 * The assembly of signal delivery (signal.c, docs/signals.md).
 *
 * __capos_sig_entry is where the kernel diverts a thread, with rdi = the
 * struct capos_sigframe it wrote (16-byte aligned) and rsp = rdi - 8.  It
 * saves the x87/SSE state (the interrupted code's: handlers are C), runs
 * posix_sig_async(frame), restores that state and falls into
 * __capos_sig_restore.
 *
 * __capos_sig_restore(frame) puts back every register of the frame, in
 * user mode: the new RIP and RSP go to two thread-local words first (the
 * only memory a jump can read without a register), then RFLAGS (popfq:
 * ring 3 cannot change IF or IOPL this way; anything else is the
 * program's own), the general registers, RSP, and an indirect jump.  The
 * kernel delivers nothing while a thread is between __capos_sig_restore
 * and __capos_sig_restore_end (registered with the entry), so the two
 * words cannot be overwritten by a nested delivery halfway through.
 *
 * posix_idle_wait(flag, min_complete, timeout) is cap_enter for a thread
 * that waits for a signal: if *flag is set (a signal was taken since the
 * caller cleared it) it returns -1 without entering the kernel.  A signal
 * taken between the test and the syscall instruction would otherwise be
 * missed by a wait that then blocks: posix_sig_async moves a thread
 * interrupted in [posix_idle_wait, posix_idle_jump] to posix_idle_abort
 * instead, and one interrupted in capos_cap_enter before its syscall past
 * the syscall (cap_enter returning 0).
 *
 * posix_sig_call_on(fn, sig, info, ctx, top) calls fn(sig, info, ctx) on
 * the stack whose top is `top` (sigaltstack), and comes back.
 */
#include "abi/signal.h"

    .section .text
    .global __capos_sig_entry
    .type __capos_sig_entry, @function
__capos_sig_entry:
    subq $520, %rsp             /* 16-byte aligned again, room for FXSAVE */
    fxsave (%rsp)
    movq %rdi, %rbx             /* callee-saved; the frame has the old value */
    call posix_sig_async
    fxrstor (%rsp)
    movq %rbx, %rdi
    .size __capos_sig_entry, . - __capos_sig_entry

    .global __capos_sig_restore
    .type __capos_sig_restore, @function
__capos_sig_restore:
    movq CAPOS_SIGFRAME_RIP(%rdi), %rax
    movq %rax, %fs:posix_sig_rip@tpoff
    movq CAPOS_SIGFRAME_RSP(%rdi), %rax
    movq %rax, %fs:posix_sig_rsp@tpoff
    pushq CAPOS_SIGFRAME_RFLAGS(%rdi)
    popfq
    movq CAPOS_SIGFRAME_RAX + 0 * 8(%rdi), %rax
    movq CAPOS_SIGFRAME_RAX + 1 * 8(%rdi), %rbx
    movq CAPOS_SIGFRAME_RAX + 2 * 8(%rdi), %rcx
    movq CAPOS_SIGFRAME_RAX + 3 * 8(%rdi), %rdx
    movq CAPOS_SIGFRAME_RAX + 4 * 8(%rdi), %rsi
    movq CAPOS_SIGFRAME_RAX + 6 * 8(%rdi), %rbp
    movq CAPOS_SIGFRAME_RAX + 7 * 8(%rdi), %r8
    movq CAPOS_SIGFRAME_RAX + 8 * 8(%rdi), %r9
    movq CAPOS_SIGFRAME_RAX + 9 * 8(%rdi), %r10
    movq CAPOS_SIGFRAME_RAX + 10 * 8(%rdi), %r11
    movq CAPOS_SIGFRAME_RAX + 11 * 8(%rdi), %r12
    movq CAPOS_SIGFRAME_RAX + 12 * 8(%rdi), %r13
    movq CAPOS_SIGFRAME_RAX + 13 * 8(%rdi), %r14
    movq CAPOS_SIGFRAME_RAX + 14 * 8(%rdi), %r15
    movq CAPOS_SIGFRAME_RAX + 5 * 8(%rdi), %rdi
    movq %fs:posix_sig_rsp@tpoff, %rsp
    jmp *%fs:posix_sig_rip@tpoff
    .global __capos_sig_restore_end
__capos_sig_restore_end:
    .size __capos_sig_restore, . - __capos_sig_restore

    .global posix_idle_wait
    .type posix_idle_wait, @function
posix_idle_wait:
    cmpl $0, (%rdi)
    jne posix_idle_abort
    movl %esi, %edi
    movq %rdx, %rsi
    .global posix_idle_jump
posix_idle_jump:
    jmp capos_cap_enter         /* the program's only syscall instructions are there */
    .global posix_idle_abort
posix_idle_abort:
    movq $-1, %rax
    ret
    .size posix_idle_wait, . - posix_idle_wait

    .global posix_sig_call_on
    .type posix_sig_call_on, @function
posix_sig_call_on:
    pushq %rbp
    movq %rsp, %rbp
    andq $-16, %r8
    movq %r8, %rsp
    movq %rdi, %rax
    movl %esi, %edi
    movq %rdx, %rsi
    movq %rcx, %rdx
    call *%rax
    movq %rbp, %rsp
    popq %rbp
    ret
    .size posix_sig_call_on, . - posix_sig_call_on
