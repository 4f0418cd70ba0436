"""QEMU smokes of the CPU state across kernel entry and exit.

entry-hostile-smp1 and -smp4 boot system/smoke-entry-hostile.capnp:
user/tests/entry_hostile.c starts, on every CPU, attackers that block and
are preempted holding hostile RFLAGS, a zeroed FS base, or hostile x87/SSE
state with a pending exception, next to a bystander that must find its own
state untouched; then one child per exception a process can raise from
ring 3, and `int $n` for every n.  Each case is a sub-check.

fault-nmi-user-gs and fault-db-user-gs (test kernel) raise NMI and #DB
while the user's GS base is live in ring 0: the handler must still report
on the right CPU (the GS rule in kernel/arch/x86_64/trap_entry.S).
"""
from smokes import KERNEL, Smoke, exited, fault, system

# One per child of the exception phase, in the order the driver runs them.
EXCEPTION_CASES = [
    'de', 'de_idiv', 'db_tf', 'db_icebp', 'db_syscall_tf', 'bp_int3', 'bp_int_3', 'ud',
    'ud_xgetbv', 'gp_cli', 'gp_hlt', 'gp_in', 'gp_out', 'gp_rdmsr', 'gp_wrmsr', 'gp_mov_cr3',
    'gp_mov_dr7', 'gp_lgdt', 'gp_lidt', 'gp_ltr', 'gp_clts', 'gp_invlpg', 'gp_wbinvd',
    'gp_swapgs', 'gp_sysret', 'gp_sysexit', 'gp_noncanonical', 'gp_fs_kernel_data',
    'gp_gs_tss', 'gp_ss_kernel_data', 'gp_iret_kernel_cs', 'gp_iret_nt', 'gp_far_compat',
    'sysenter', 'ss_noncanonical', 'pf_null', 'pf_kernel_write', 'pf_kernel_exec', 'mf', 'ac',
    'xm'
]
ENTRY_CASES = ['bystander', 'flags', 'fs', 'fpu', 'mxcsr'] + EXCEPTION_CASES + ['popf_iopl', 'int_n']


def entry_hostile_on(n):
    return Smoke(name='entry-hostile-smp%d' % n, kernel=KERNEL,
                 module=system('smoke-entry-hostile'), smp=n, timeout=120,
                 expect=[r'^entry-hostile: %d CPUs' % n,
                         r'^entry-hostile: %d cases, 0 failed' % len(ENTRY_CASES),
                         exited('entry-hostile', 0),
                         r'^system: all processes have exited; halting'],
                 forbid=[r'KERNEL (PANIC|FAULT)', r'FAIL'],
                 groups={c: [r'^entry-hostile: %s: ok$' % c] for c in ENTRY_CASES})


SMOKES = [
    entry_hostile_on(1),
    entry_hostile_on(4),
    fault('fault-nmi-user-gs', 'nmi-user-gs', [
        r'^\*\*\* KERNEL FAULT: NMI \(vector 2\) on cpu 0',
        r'^    rip: 0xffffffff[0-9a-f]+ <arch_ktest_run\+',
    ]),
    fault('fault-db-user-gs', 'db-user-gs', [
        r'^\*\*\* KERNEL FAULT: #DB debug \(vector 1\) on cpu 0',
        r'^    rip: 0xffffffff[0-9a-f]+ <arch_ktest_run\+',
    ]),
]
