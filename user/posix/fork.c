/*
 * fork, vfork and clone without CLONE_VM: ProcessSpawner.fork of the
 * "spawner" capability (docs/processes.md, "fork").
 *
 * musl's fork runs the atfork handlers and takes its own locks, then
 * _Fork makes the system call, which arrives here.  The kernel makes a
 * copy-on-write copy of the whole process with one thread, which starts
 * at fork_child on fork_stack with the caller's thread pointer.  The copy
 * of memory holds this thread's registers as setjmp saved them just
 * before the call, so fork_child longjmps back into sys_fork, where the
 * child goes on with its own pid.  fork_stack is used by no one else:
 * each child runs on its own copy of it, so threads forking at once do
 * not clash.
 *
 * The child's capability table holds the parent's capabilities under the
 * same ids (less the endpoint servers, the handles on the parent's
 * children and threads), so the descriptors, the working directory, the
 * root and every other id in this memory still name what they named; file
 * offsets live in memory the fork shares (fd.c), so they stay one; the
 * child's state that is per process is reset here before anything else
 * runs: its thread's ring (a new one, at the same address), its ids, the
 * children it has none of, the signals pending, and the personality's
 * locks (another thread of the parent may have held one; only the
 * calling thread goes on in the child, which, as POSIX says, should call
 * only async-signal-safe functions if the parent had several threads).
 *
 * The parent records the child for wait (wait.c), as posix_spawn does.
 */
#include <errno.h>
#include <setjmp.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include "abi/errors.h"
#include "capos.rpc.h"
#include "posix.h"
#include "ring.h"

struct fork_ctx {
    jmp_buf regs;
    uint32_t control;
};

static char fork_stack[4096] __attribute__((aligned(16)));

/* The child's first instructions (the kernel starts it here with rdi the
 * context in its copy of the parent's stack and rdx its ThreadControl). */
static __attribute__((noreturn, used)) void fork_child(struct fork_ctx *c, long unused,
                                                       uint32_t control)
{
    (void)unused;
    c->control = control;
    longjmp(c->regs, 1);
}

/* The child, back in sys_fork: everything that is per process. */
static void fork_reset(uint32_t control)
{
    struct capos_ring_client *rc = capos_ring_self();
    capos_ring_init(rc, rc->hdr); /* before any call: the ring is new */
    posix_thread_forked(control, posix_pid());
    posix_child_forked();
    posix_fd_forked();
    posix_file_forked();
    posix_mem_forked();
    posix_sig_forked();
    posix_spawn_forked();
}

long sys_fork(long a1, long a2, long a3, long a4, long a5, long a6)
{
    if (!posix_caps.spawner)
        return -EPERM;
    int slot = posix_child_reserve();
    if (slot < 0)
        return -EAGAIN;
    struct fork_ctx ctx;
    if (setjmp(ctx.regs)) {
        fork_reset(ctx.control);
        return 0;
    }
    /* As if called: a return address's worth below 16-byte alignment. */
    capos_ProcessSpawner_fork_args a = {
        .entry = (uint64_t)(uintptr_t)fork_child,
        .stack = (uint64_t)(uintptr_t)(fork_stack + sizeof(fork_stack) - 8),
        .arg = (uint64_t)(uintptr_t)&ctx,
    };
    capos_ProcessSpawner_fork_results res;
    posix_fd_fork_prepare(); /* the child's holds on the shared offsets */
    int err = capos_ProcessSpawner_fork_call(posix_caps.spawner, &a, &res, 0);
    posix_fd_fork_done(err == CAPOS_OK);
    if (err != CAPOS_OK) {
        posix_child_unreserve(slot);
        if (err == CAPOS_ERR_EXHAUSTED)
            return -EAGAIN;
        return posix_errno(err);
    }
    posix_child_add(slot, (int)res.pid, res.handle);
    return (long)res.pid;
}

/* clone through syscall(): a new process (SIGCHLD or no signal, no other
 * flag, no stack) is fork; threads come through __clone (thread.c). */
long sys_clone(long flags, long stack, long a3, long a4, long a5, long a6)
{
    if ((flags & ~0xffL) != 0 || stack != 0 || ((flags & 0xff) != 0 && (flags & 0xff) != SIGCHLD))
        return -ENOSYS;
    return sys_fork(0, 0, 0, 0, 0, 0);
}

/* vfork (musl's vfork.s jumps here): a fork, which is what vfork may be;
 * without atfork handlers, as musl's vfork. */
long __capos_vfork(void)
{
    return _Fork();
}
