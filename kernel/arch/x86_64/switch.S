/*
 * Kernel stack switch.  arch_switch_stacks(&prev->saved_rsp, next_rsp,
 * &prev->on_cpu) saves RFLAGS and the callee-saved registers on the current
 * stack, stores the stack pointer, clears prev's on_cpu (from that store on,
 * another CPU may run prev: nothing below touches prev's stack again),
 * loads the next stack and restores its registers and RFLAGS; `ret` then
 * continues wherever that thread called arch_switch_stacks from, or, for a
 * new kernel thread, at thread_enter_kernel, or, for a new user thread, at
 * thread_enter_user, which finishes the switch
 * (sched_switch_tail), ends the thread instead if its process stopped
 * before it first ran (process_check_alive), lets the boot report note
 * init's start (system_thread_started), and drops into trap_return with
 * the thread's prepared user frame.
 *
 * RFLAGS is part of the switched state so that no flag one thread's kernel
 * code ran with (whatever a future entry path might let through) reaches
 * another thread: each resumes with the flags it had when it switched out,
 * a new one with RFLAGS_FIXED (context.c).
 */
    .section .text
    .code64

    .global arch_switch_stacks
arch_switch_stacks:
    pushfq
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movb $0, (%rdx)     /* a plain store is a release on x86 */
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    popfq
    ret

    /* A kernel thread's first instructions: rbx holds its function and
     * r12 its argument (context.c).  The function never returns. */
    .global thread_enter_kernel
thread_enter_kernel:
    andq $-16, %rsp
    call sched_switch_tail
    movq %r12, %rdi
    call *%rbx
    ud2

    .global thread_enter_user
thread_enter_user:
    movq %rsp, %rbx     /* the trap frame; keep it across the call */
    andq $-16, %rsp
    call sched_switch_tail
    call process_check_alive
    call system_thread_started
#ifdef CAPOS_KTEST
    call offwatch_end   /* the interrupts-off watch: user mode is next */
#endif
    movq %rbx, %rsp
    jmp trap_return
