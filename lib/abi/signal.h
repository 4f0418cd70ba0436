/*
 * The signal frame: what the kernel writes on a thread's user stack when it
 * diverts the thread to its process's signal entry (docs/signals.md).
 *
 * The kernel places the frame 128 bytes (the System V red zone) below the
 * interrupted stack pointer, 16-byte aligned, and enters the registered
 * entry with rdi = the frame's address, rsp = that address - 8 (as after a
 * call), RFLAGS = IF alone.  The frame holds the interrupted user
 * registers, the signals taken (bit s-1 for signal s; they are no longer
 * pending in the kernel) and, for each of them, who sent it.  The process
 * restores the registers itself, in user mode: nothing in the frame is
 * ever read back by the kernel, so a forged frame can only make the
 * process jump where it could jump anyway.  Layout pinned by
 * _Static_asserts (the entry code in assembly uses the offsets).
 */
#ifndef CAPOS_LIB_ABI_SIGNAL_H
#define CAPOS_LIB_ABI_SIGNAL_H

#define CAPOS_SIG_MAX         64 /* signals 1..64 */
#define CAPOS_SIGKILL         9
#define CAPOS_SIGCHLD         17
#define CAPOS_SIGSTOP         19

#define CAPOS_SIGFRAME_RIP    8
#define CAPOS_SIGFRAME_RFLAGS 16
#define CAPOS_SIGFRAME_RSP    24
#define CAPOS_SIGFRAME_RAX    32

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* What sent a signal (capos_sig_info.kind). */
enum {
    CAPOS_SIG_SENT = 0,         /* ProcessHandle.signal or signalProcess from process `pid` */
    CAPOS_SIG_CHILD_EXITED = 1, /* SIGCHLD: child `pid` exited with code `status` */
    CAPOS_SIG_CHILD_KILLED = 2, /* SIGCHLD: child `pid` was killed (ProcessHandle.kill) */
    CAPOS_SIG_CHILD_FAULTED = 3 /* SIGCHLD: the kernel stopped child `pid` (status: the vector) */
};

struct capos_sig_info {
    uint32_t pid;
    uint32_t kind;
    int32_t status;
    uint32_t reserved;
};

struct capos_sigframe {
    uint64_t signals;
    uint64_t rip, rflags, rsp;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    struct capos_sig_info info[CAPOS_SIG_MAX]; /* info[s-1]: signal s, if taken */
};

_Static_assert(offsetof(struct capos_sigframe, rip) == CAPOS_SIGFRAME_RIP &&
                   offsetof(struct capos_sigframe, rflags) == CAPOS_SIGFRAME_RFLAGS &&
                   offsetof(struct capos_sigframe, rsp) == CAPOS_SIGFRAME_RSP &&
                   offsetof(struct capos_sigframe, rax) == CAPOS_SIGFRAME_RAX &&
                   offsetof(struct capos_sigframe, r15) == CAPOS_SIGFRAME_RAX + 14 * 8,
               "the signal entry code uses these offsets");
#endif

#endif
