/*
 * Entry of a thread made by __capos_clone (thread.c): the kernel starts it
 * with rdi = its start record, rsi = its ring, rdx = its ThreadControl,
 * rsp = just below the record (16-byte aligned), FS base = its TLS.
 */
    .section .text.posix_thread_entry, "ax"
    .global posix_thread_entry
    .hidden posix_thread_entry
    .type posix_thread_entry, @function
posix_thread_entry:
    xorl %ebp, %ebp
    call posix_thread_start
    ud2
    .size posix_thread_entry, . - posix_thread_entry
