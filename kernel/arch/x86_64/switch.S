/*
 * Kernel stack switch.  arch_switch_stacks(&prev->saved_rsp, next_rsp) saves
 * the callee-saved registers on the current stack, stores the stack pointer,
 * loads the next one and restores its registers; `ret` then continues
 * wherever that thread called arch_switch_stacks from, or, for a new thread,
 * at thread_enter_user, which drops into trap_return with the thread's
 * prepared user frame.
 */
    .section .text
    .code64

    .global arch_switch_stacks
arch_switch_stacks:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    .global thread_enter_user
thread_enter_user:
    jmp trap_return
