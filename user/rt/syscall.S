/*
 * The two capOS system calls (syscall.h): the only `syscall` instructions
 * in a capOS program.  cap_enter: rax = 0, rdi = min_complete, rsi =
 * timeout; exit: rax = 1, rdi = code.  The kernel clobbers rcx and r11 only,
 * which the C calling convention lets a callee clobber anyway.  The label
 * after cap_enter's syscall lets the POSIX personality's signal entry skip
 * a cap_enter it interrupted before that instruction (user/posix/
 * signal.c); no label names the syscall itself, so that scans see it in
 * capos_cap_enter.
 */
    .section .text.capos_cap_enter, "ax"
    .global capos_cap_enter
    .type capos_cap_enter, @function
capos_cap_enter:
    movl %edi, %edi         /* min_complete is 32 bits */
    xorl %eax, %eax         /* CAPOS_SYS_CAP_ENTER */
    syscall                 /* the 2 bytes before capos_cap_enter_ret */
    .global capos_cap_enter_ret
capos_cap_enter_ret:
    ret
    .size capos_cap_enter, . - capos_cap_enter

    .section .text.capos_sys_exit, "ax"
    .global capos_sys_exit
    .type capos_sys_exit, @function
capos_sys_exit:
    movslq %edi, %rdi       /* the code is an int32, passed sign-extended */
    movl $1, %eax           /* CAPOS_SYS_EXIT */
    syscall
    ud2
    .size capos_sys_exit, . - capos_sys_exit
