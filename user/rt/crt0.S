/*
 * Process and thread entry.  The kernel starts a process at _start with
 *   rdi = address of the CapSet region, rsi = address of the ring region,
 *   rdx = cap id of the thread's ThreadControl,
 *   rsp = top of the stack (16-byte aligned), all other registers zero;
 * and a later thread at capos_thread_entry with rdi = its control block
 * (thread.c), rsi and rdx as above.
 * _start clears the frame pointer (ending backtraces here), keeps the stack
 * aligned for the C call, and never returns: capos_rt_start calls main and
 * then exit.
 */
    .section .text.start, "ax"
    .global _start
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call capos_rt_start
    ud2

    .section .text
    .global capos_thread_entry
capos_thread_entry:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call capos_thread_start
    ud2
