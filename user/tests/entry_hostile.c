/*
 * Hostile use of the CPU state that crosses kernel entry and exit, for the
 * entry-hostile smokes (system/smoke-entry-hostile.capnp, on 1 and 4 CPUs).
 *
 * The driver (no argv[1]) starts copies of itself, one per attack, and
 * checks how each ended:
 *   state       on every CPU, pinned side by side, a bystander and four
 *               attackers that block in cap_enter and are preempted while
 *               holding odd CPU state: "flags" (RFLAGS NT, DF, AC, ID and
 *               every arithmetic flag), "fs" (an FS base zeroed by loading
 *               segment selectors, while the bystander's TLS block sits at
 *               the same address), "fpu" (x87 control word and MXCSR with
 *               every exception unmasked, other rounding, single precision,
 *               flush-to-zero, and a pending x87 exception) and "mxcsr" (a
 *               reserved MXCSR bit, where the CPU accepts one).  Each
 *               attacker must find its own state intact after every kernel
 *               entry ("fpu" then ends on its own #MF); each bystander
 *               checks, every round and in a new thread every round, that
 *               its flags, TLS, FPU control state and FPU results are those
 *               of a fresh thread, and exits 0.
 *   exceptions  one child per exception or refused instruction a process
 *               can produce in ring 3 (#DE #DB #BP #UD #GP #SS #PF #MF #AC
 *               #XM; privileged and system instructions; a far jump to the
 *               32-bit code segment slot; SYSCALL with TF set; ...): each
 *               must end faulted with the vector the CPU defines for it.
 *               (#NM cannot be raised: CR0.TS and CR0.EM are never set; #OF
 *               and #BR have no 64-bit instruction.)
 *   int_n       `int $n` for every n in 0..255: #BP for 3 (the only gate
 *               open to ring 3), #GP for every other n.
 * A kernel that lets user flags into ring 0, leaks FPU or segment state
 * between threads, or takes a user exception for its own fails here by
 * resetting, reporting a kernel fault, or ending a child the wrong way.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define TESTCASE_PREFIX "entry-hostile"
#include "testcase.h"

#define MS 1000000ULL

/* RFLAGS bits (Intel SDM vol. 1, 3.4.3). */
#define F_CF   0x1ULL
#define F_1    0x2ULL /* reserved, always 1 */
#define F_PF   0x4ULL
#define F_AF   0x10ULL
#define F_ZF   0x40ULL
#define F_SF   0x80ULL
#define F_TF   0x100ULL
#define F_IF   0x200ULL
#define F_DF   0x400ULL
#define F_OF   0x800ULL
#define F_IOPL 0x3000ULL
#define F_NT   0x4000ULL
#define F_AC   0x40000ULL
#define F_ID   0x200000ULL

/* Every flag ring 3 can set with POPF, except TF (which would stop it). */
#define HOSTILE_FLAGS (F_CF | F_PF | F_AF | F_ZF | F_SF | F_DF | F_OF | F_NT | F_AC | F_ID)

/* The hostile FPU control state: all exceptions unmasked; x87 rounding
 * toward zero at single precision; SSE rounding toward zero with
 * flush-to-zero and denormals-are-zero. */
#define HOSTILE_FCW   0x0C40
#define HOSTILE_MXCSR 0xE040

/* What every new thread starts with (context.c). */
#define DEFAULT_FCW   0x037F
#define DEFAULT_MXCSR 0x1F80

_Static_assert(CAPOS_SYS_CAP_ENTER == 0, "the assembly below loads 0 into eax");

/*
 * Assembly helpers.  They are whole functions so that no flag, stack or
 * FPU trick disturbs code the compiler generated (user code may use the
 * red zone below the stack pointer).
 *
 * eh_flags_round(flags, timeout_ns, spin, out[2]): with RFLAGS = flags,
 * blocks in cap_enter(1, timeout_ns), stores RFLAGS as the syscall left
 * them in out[0], spins `spin` times with LOOP (which changes no flag; a
 * timer interrupt may preempt it) and stores RFLAGS again in out[1]; then
 * restores the caller's flags.
 */
__asm__(".text\n"
        ".globl eh_flags_round\n"
        "eh_flags_round:\n"
        "    pushfq\n"
        "    movq %rdx, %r10\n"
        "    movq %rcx, %r8\n"
        "    pushq %rdi\n"
        "    movl $1, %edi\n"
        "    xorl %eax, %eax\n"
        "    popfq\n"
        "    syscall\n"
        "    pushfq\n"
        "    popq 0(%r8)\n"
        "    movq %r10, %rcx\n"
        "1:  loop 1b\n"
        "    pushfq\n"
        "    popq 8(%r8)\n"
        "    popfq\n"
        "    ret\n"

        ".globl eh_read_flags\n"
        "eh_read_flags:\n"
        "    pushfq\n"
        "    popq %rax\n"
        "    ret\n"

        /* Sets IOPL 3 and clears IF with POPF, returns what RFLAGS became
         * (POPF in ring 3 must change neither). */
        ".globl eh_popf_iopl\n"
        "eh_popf_iopl:\n"
        "    pushfq\n"
        "    pushq $0x3002\n"
        "    popfq\n"
        "    pushfq\n"
        "    popq %rax\n"
        "    popfq\n"
        "    ret\n"

        /* Loads the hostile x87 control word and MXCSR, then leaves an
         * unmasked invalid-operation exception (0/0) pending: the next
         * waiting x87 instruction raises #MF. */
        ".globl eh_fpu_poison\n"
        "eh_fpu_poison:\n"
        "    pushq $0x0C40\n"
        "    fldcw (%rsp)\n"
        "    movl $0xE040, (%rsp)\n"
        "    ldmxcsr (%rsp)\n"
        "    popq %rax\n"
        "    fldz\n"
        "    fldz\n"
        "    fdivrp\n"
        "    ret\n"

        ".globl eh_fwait\n"
        "eh_fwait:\n"
        "    fwait\n"
        "    ret\n"

        /* The 256 `int $n` stubs, 4 bytes apart: CD n (never the one-byte
         * CC form), then RET in case the CPU let it through. */
        ".p2align 4\n"
        ".globl eh_int_stubs\n"
        "eh_int_stubs:\n"
        ".set n, 0\n"
        ".rept 256\n"
        "    .byte 0xcd, n, 0xc3, 0x90\n"
        "    .set n, n + 1\n"
        ".endr\n");

void eh_flags_round(uint64_t flags, uint64_t timeout_ns, uint64_t spin, uint64_t out[2]);
uint64_t eh_read_flags(void);
uint64_t eh_popf_iopl(void);
void eh_fpu_poison(void);
void eh_fwait(void);
extern const char eh_int_stubs[];

/*
 * The exception stubs: each executes one thing ring 3 may not do or that
 * raises an exception, then returns (which the child reports as "no
 * fault").  rdi points at a 512-byte, 16-aligned scratch buffer.
 */
#define STUB(name, body) ".globl eh_x_" #name "\neh_x_" #name ":\n" body "\n    ret\n"
__asm__(
    ".text\n" STUB(de, "    xorl %ecx, %ecx\n    movl $1, %eax\n    xorl %edx, %edx\n"
                       "    divl %ecx")
        STUB(de_idiv, "    movabsq $0x8000000000000000, %rax\n    cqto\n"
                      "    movq $-1, %rcx\n    idivq %rcx")
    /* TF traps after the instruction that follows POPF. */
    STUB(db_tf, "    pushfq\n    orq $0x100, (%rsp)\n    popfq\n    nop\n    nop\n"
                "    pushfq\n    andq $~0x100, (%rsp)\n    popfq") STUB(db_icebp, "    .byte 0xf1")
    /* SYSCALL right after POPF sets TF: the kernel must run with TF
     * clear, and the trap then comes in ring 3 after SYSRET. */
    STUB(db_syscall_tf, "    xorl %eax, %eax\n    xorl %edi, %edi\n    xorl %esi, %esi\n"
                        "    pushfq\n    orq $0x100, (%rsp)\n    popfq\n    syscall\n"
                        "    nop\n    pushfq\n    andq $~0x100, (%rsp)\n    popfq")
        STUB(bp_int3, "    int3") STUB(bp_int_3, "    .byte 0xcd, 0x03") STUB(ud, "    ud2")
    /* XSAVE is not enabled (CR4.OSXSAVE clear): XGETBV is #UD. */
    STUB(ud_xgetbv, "    xorl %ecx, %ecx\n    xgetbv") STUB(gp_cli, "    cli") STUB(
        gp_hlt, "    hlt") STUB(gp_in, "    inb $0x60, %al") STUB(gp_out, "    outb %al, $0x80")
        STUB(gp_rdmsr, "    movl $0xc0000080, %ecx\n    rdmsr")
            STUB(gp_wrmsr, "    movl $0xc0000082, %ecx\n    xorl %eax, %eax\n"
                           "    xorl %edx, %edx\n    wrmsr") STUB(gp_mov_cr3, "    movq %cr3, %rax")
                STUB(gp_mov_dr7, "    movq %dr7, %rax") STUB(gp_lgdt, "    lgdt (%rdi)") STUB(
                    gp_lidt, "    lidt (%rdi)") STUB(gp_ltr, "    movw $0x30, %ax\n    ltr %ax")
                    STUB(gp_clts, "    clts") STUB(gp_invlpg, "    invlpg (%rdi)")
                        STUB(gp_wbinvd, "    wbinvd") STUB(gp_swapgs, "    swapgs")
                            STUB(gp_sysret, "    sysretq") STUB(gp_sysexit, "    sysexitq")
                                STUB(gp_noncanonical,
                                     "    movabsq $0x8000000000000000, %rax\n    movq (%rax), %rax")
    /* Kernel data (DPL 0) and the TSS as data segments. */
    STUB(gp_fs_kernel_data, "    movl $0x13, %eax\n    movw %ax, %fs")
        STUB(gp_gs_tss, "    movl $0x33, %eax\n    movw %ax, %gs")
            STUB(gp_ss_kernel_data, "    movl $0x10, %eax\n    movw %ax, %ss")
    /* IRETQ in ring 3 to the kernel's code segment, then with NT
     * set (64-bit mode has no task return: always #GP). */
    STUB(gp_iret_kernel_cs, "    movq %rsp, %rax\n    pushq $0x23\n    pushq %rax\n"
                            "    pushfq\n    pushq $0x08\n    leaq 1f(%rip), %rax\n"
                            "    pushq %rax\n    iretq\n1:")
        STUB(gp_iret_nt, "    movq %rsp, %rax\n    pushq $0x23\n    pushq %rax\n"
                         "    pushfq\n    pushq $0x2b\n    leaq 1f(%rip), %rax\n"
                         "    pushq %rax\n    pushfq\n    orq $0x4000, (%rsp)\n    popfq\n"
                         "    iretq\n1:")
    /* A far return to selector 0x1b (the slot SYSRET derives the
     * user selectors from), then SYSCALL as 32-bit code: there
     * must be no 32-bit user code segment to return to. */
    STUB(gp_far_compat, "    leaq 1f(%rip), %rax\n    movl %eax, (%rdi)\n"
                        "    movw $0x1b, 4(%rdi)\n    ljmpl *(%rdi)\n"
                        "1:\n    .byte 0x0f, 0x05, 0x0f, 0x0b")
    /* SYSENTER: #GP with no SYSENTER_CS (Intel), #UD (AMD). */
    STUB(sysenter, "    .byte 0x0f, 0x34")
    /* A stack access at a non-canonical address: #SS. */
    STUB(ss_noncanonical, "    movq %rsp, %rcx\n    movabsq $0x8000000000000000, %rsp\n"
                          "    pushq $0\n    movq %rcx, %rsp")
        STUB(pf_null, "    xorl %eax, %eax\n    movq %rax, (%rax)")
            STUB(pf_kernel_write, "    movabsq $0xffffffff80200000, %rax\n    movq %rax, (%rax)")
                STUB(pf_kernel_exec, "    movabsq $0xffffffff80200000, %rax\n    call *%rax")
    /* 0/0 with the invalid-operation exception unmasked: #MF at
     * the next waiting x87 instruction. */
    STUB(mf, "    pushq $0x037E\n    fldcw (%rsp)\n    popq %rax\n    fldz\n    fldz\n"
             "    fdivrp\n    fwait")
    /* RFLAGS.AC with CR0.AM set: a misaligned load is #AC. */
    STUB(ac, "    pushfq\n    orq $0x40000, (%rsp)\n    popfq\n    movq 1(%rdi), %rax\n"
             "    pushfq\n    andq $~0x40000, (%rsp)\n    popfq")
    /* 1/0 with the SSE divide-by-zero exception unmasked: #XM. */
    STUB(xm, "    pushq $0x1D80\n    ldmxcsr (%rsp)\n    popq %rax\n    movl $1, %eax\n"
             "    cvtsi2sdl %eax, %xmm0\n    xorps %xmm1, %xmm1\n    divsd %xmm1, %xmm0"));

/*
 * What each stub must end with: vector vec[0], or vec[1] where CPUs (or
 * QEMU's TCG, which these smokes run on) legitimately differ, and for
 * may_return a plain return where the emulator raises nothing at all.
 */
struct xcase {
    const char *name;
    void (*fn)(void *scratch);
    uint8_t vec[2];
    bool may_return;
};

#define XCASE(n, v0, v1, ...)                                                                      \
    {                                                                                              \
        .name = #n, .fn = eh_x_##n, .vec = {v0, v1}, __VA_ARGS__                                   \
    }
/* The stubs above; scratch is a 512-byte, 16-aligned buffer. */
void eh_x_de(void *scratch), eh_x_de_idiv(void *scratch), eh_x_db_tf(void *scratch),
    eh_x_db_icebp(void *scratch), eh_x_db_syscall_tf(void *scratch), eh_x_bp_int3(void *scratch),
    eh_x_bp_int_3(void *scratch), eh_x_ud(void *scratch), eh_x_ud_xgetbv(void *scratch),
    eh_x_gp_cli(void *scratch), eh_x_gp_hlt(void *scratch), eh_x_gp_in(void *scratch),
    eh_x_gp_out(void *scratch), eh_x_gp_rdmsr(void *scratch), eh_x_gp_wrmsr(void *scratch),
    eh_x_gp_mov_cr3(void *scratch), eh_x_gp_mov_dr7(void *scratch), eh_x_gp_lgdt(void *scratch),
    eh_x_gp_lidt(void *scratch), eh_x_gp_ltr(void *scratch), eh_x_gp_clts(void *scratch),
    eh_x_gp_invlpg(void *scratch), eh_x_gp_wbinvd(void *scratch), eh_x_gp_swapgs(void *scratch),
    eh_x_gp_sysret(void *scratch), eh_x_gp_sysexit(void *scratch),
    eh_x_gp_noncanonical(void *scratch), eh_x_gp_fs_kernel_data(void *scratch),
    eh_x_gp_gs_tss(void *scratch), eh_x_gp_ss_kernel_data(void *scratch),
    eh_x_gp_iret_kernel_cs(void *scratch), eh_x_gp_iret_nt(void *scratch),
    eh_x_gp_far_compat(void *scratch), eh_x_sysenter(void *scratch),
    eh_x_ss_noncanonical(void *scratch), eh_x_pf_null(void *scratch),
    eh_x_pf_kernel_write(void *scratch), eh_x_pf_kernel_exec(void *scratch), eh_x_mf(void *scratch),
    eh_x_ac(void *scratch), eh_x_xm(void *scratch);

static const struct xcase xcases[] = {
    XCASE(de, 0, 0), XCASE(de_idiv, 0, 0), XCASE(db_tf, 1, 1),
    XCASE(db_icebp, 1, 6), /* QEMU decodes ICEBP as an invalid opcode */
    XCASE(db_syscall_tf, 1, 1), XCASE(bp_int3, 3, 3), XCASE(bp_int_3, 3, 3), XCASE(ud, 6, 6),
    XCASE(ud_xgetbv, 6, 6), XCASE(gp_cli, 13, 13), XCASE(gp_hlt, 13, 13), XCASE(gp_in, 13, 13),
    XCASE(gp_out, 13, 13), XCASE(gp_rdmsr, 13, 13), XCASE(gp_wrmsr, 13, 13),
    XCASE(gp_mov_cr3, 13, 13), XCASE(gp_mov_dr7, 13, 13), XCASE(gp_lgdt, 13, 13),
    XCASE(gp_lidt, 13, 13), XCASE(gp_ltr, 13, 13), XCASE(gp_clts, 13, 13), XCASE(gp_invlpg, 13, 13),
    XCASE(gp_wbinvd, 13, 13), XCASE(gp_swapgs, 13, 13), XCASE(gp_sysret, 13, 13),
    XCASE(gp_sysexit, 13, 6), /* #UD on AMD */
    XCASE(gp_noncanonical, 13, 13), XCASE(gp_fs_kernel_data, 13, 13), XCASE(gp_gs_tss, 13, 13),
    XCASE(gp_ss_kernel_data, 13, 13),
    /* QEMU reads a ring-3 IRETQ frame with supervisor rights, which SMAP
     * refuses: #PF instead of #GP. */
    XCASE(gp_iret_kernel_cs, 13, 14), XCASE(gp_iret_nt, 13, 13), XCASE(gp_far_compat, 13, 13),
    XCASE(sysenter, 13, 6),         /* #UD on AMD */
    XCASE(ss_noncanonical, 12, 13), /* QEMU raises #GP */
    XCASE(pf_null, 14, 14), XCASE(pf_kernel_write, 14, 14), XCASE(pf_kernel_exec, 14, 14),
    XCASE(mf, 16, 16), XCASE(ac, 17, 17, .may_return = true), /* QEMU does not check alignment */
    XCASE(xm, 19, 19, .may_return = true), /* QEMU before 8.0 raises no SIMD exceptions */
};

static uint32_t console, spawner;
static unsigned ncpus = 1;

static void spin(uint64_t n)
{
    for (volatile uint64_t i = 0; i < n; i++)
        ;
}

/* ---- the bystander ---- */

/* The FPU results and control state of a fresh thread, or a nonzero code
 * saying what differed. */
static int fpu_check(void)
{
    static volatile double one = 1.0, three = 3.0, zero = 0.0, dmin = 0x1p-1022;
    static volatile long double lone = 1.0L, lthree = 3.0L, lzero = 0.0L;
    uint16_t fcw;
    uint32_t mxcsr;
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    if (fcw != DEFAULT_FCW)
        return 10;
    if ((mxcsr & ~0x3Fu) != DEFAULT_MXCSR) /* the low 6 bits are sticky status */
        return 11;
    /* SSE: round to nearest, a quiet infinity, a denormal kept. */
    double q = one / three, inf = one / zero, half = dmin * 0.5;
    uint64_t b;
    memcpy(&b, &q, 8);
    if (b != 0x3FD5555555555555ULL)
        return 12;
    memcpy(&b, &inf, 8);
    if (b != 0x7FF0000000000000ULL)
        return 13;
    memcpy(&b, &half, 8);
    if (b != 0x0008000000000000ULL)
        return 14;
    /* x87: 64-bit precision, round to nearest, a quiet infinity. */
    long double lq = lone / lthree, linf = lone / lzero;
    uint64_t m;
    uint16_t e;
    memcpy(&m, &lq, 8);
    memcpy(&e, (const char *)&lq + 8, 2);
    if (m != 0xAAAAAAAAAAAAAAABULL || e != 0x3FFD)
        return 15;
    memcpy(&m, &linf, 8);
    memcpy(&e, (const char *)&linf + 8, 2);
    if (m != 0x8000000000000000ULL || e != 0x7FFF)
        return 16;
    return 0;
}

/* The flags a process may find set without having set them: none of
 * TF, DF, NT, AC, ID, IOPL; IF always set. */
static int flags_check(void)
{
    uint64_t f = eh_read_flags();
    if ((f & (F_TF | F_DF | F_NT | F_AC | F_ID | F_IOPL)) || !(f & F_IF)) {
        capos_printf("entry-hostile: bystander: RFLAGS %#lx\n", (unsigned long)f);
        return 20;
    }
    return 0;
}

static int bystander_thread(void *arg)
{
    (void)arg;
    struct capos_thread *self = capos_thread_self(); /* reads %fs:0 */
    if (self->self != self)
        return 30;
    int r = flags_check();
    return r ? r : fpu_check();
}

static int role_bystander(int rounds)
{
    struct capos_thread *self = capos_thread_self();
    uint64_t sum = 0, want = 0;
    for (int round = 0; round < rounds; round++) {
        int r = flags_check();
        if (!r)
            r = fpu_check();
        if (!r && capos_thread_self() != self)
            r = 31;
        /* A new thread enters user mode through the interrupt-return path
         * the first time it runs. */
        struct capos_thread *t;
        int code = -1;
        bool killed = true;
        if (!r && (capos_thread_create(&t, bystander_thread, NULL, NULL) != CAPOS_OK ||
                   capos_thread_join(t, &code, &killed) != CAPOS_OK || killed))
            r = 32;
        if (!r && code != 0)
            r = code;
        if (r) {
            capos_printf("entry-hostile: bystander: round %d: check %d failed\n", round, r);
            return r;
        }
        for (uint64_t i = 0; i < 20000; i++)
            sum += i ^ (uint64_t)round;
        capos_timer_sleep(timer, 1 * MS);
    }
    for (int round = 0; round < rounds; round++)
        for (uint64_t i = 0; i < 20000; i++)
            want += i ^ (uint64_t)round;
    return sum == want ? 0 : 34;
}

/* ---- the attackers ---- */

static int role_flags(int rounds)
{
    const uint64_t want = HOSTILE_FLAGS | F_IF | F_1;
    for (int round = 0; round < rounds; round++) {
        uint64_t got[2];
        eh_flags_round(HOSTILE_FLAGS, 500 * 1000, 100000, got);
        if (got[0] != want || got[1] != want) {
            capos_printf("entry-hostile: flags: round %d: RFLAGS %#lx after cap_enter, %#lx "
                         "after a spin; expected %#lx\n",
                         round, (unsigned long)got[0], (unsigned long)got[1], (unsigned long)want);
            return 1;
        }
    }
    return 0;
}

/* Zeroes its FS base by loading segment selectors (null, then user data)
 * and blocks.  From the first load on, nothing here may use %fs: raw
 * system calls only. */
static __attribute__((noreturn)) void role_fs(int rounds)
{
    for (int round = 0; round < rounds; round++) {
        __asm__ volatile("movw %w0, %%fs" : : "r"(0u));
        capos_cap_enter(1, 300 * 1000);
        spin(20000);
        __asm__ volatile("movw %w0, %%fs" : : "r"(0x23u));
        capos_cap_enter(1, 300 * 1000);
        spin(20000);
    }
    capos_sys_exit(0);
}

/* Blocks and is preempted with the hostile FPU state and a pending x87
 * exception, checks the control state survived, then takes its #MF. */
static int role_fpu(int rounds)
{
    eh_fpu_poison();
    for (int round = 0; round < rounds; round++) {
        capos_cap_enter(1, 300 * 1000);
        spin(20000);
    }
    uint16_t fcw, fsw;
    uint32_t mxcsr;
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    __asm__ volatile("fnstsw %0" : "=m"(fsw));
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    if (fcw != HOSTILE_FCW || (mxcsr & ~0x3Fu) != HOSTILE_MXCSR || !(fsw & 0x80)) {
        capos_printf("entry-hostile: fpu: control %#x mxcsr %#x status %#x\n", fcw, mxcsr, fsw);
        return 1;
    }
    eh_fwait(); /* #MF */
    return 2;
}

/* MXCSR with a reserved bit: the CPU refuses the load (#GP), or, where it
 * takes it (QEMU before 8.1), the kernel's FXSAVE/FXRSTOR must carry the
 * value through every switch without faulting. */
static int role_mxcsr(int rounds)
{
    uint32_t mxcsr = DEFAULT_MXCSR | 0x10000, got;
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    for (int round = 0; round < rounds; round++) {
        capos_cap_enter(1, 300 * 1000);
        spin(20000);
    }
    __asm__ volatile("stmxcsr %0" : "=m"(got));
    return got == mxcsr ? 0 : 1;
}

/* ---- children ---- */

static int child_main(const char *role, const char *arg)
{
    static uint8_t scratch[512] __attribute__((aligned(16)));
    unsigned long n = 0;
    for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (unsigned long)(*p - '0');
    if (!strcmp(role, "x")) {
        for (size_t i = 0; i < ARRAY_SIZE(xcases); i++) {
            if (!strcmp(arg, xcases[i].name)) {
                xcases[i].fn(scratch);
                return 99; /* no fault */
            }
        }
        return 98;
    }
    if (!strcmp(role, "int")) {
        if (n > 255)
            return 98;
        ((void (*)(void))(uintptr_t)(eh_int_stubs + 4 * n))();
        return 99;
    }
    if (!strcmp(role, "popf-iopl")) {
        uint64_t f = eh_popf_iopl();
        if ((f & F_IOPL) || !(f & F_IF))
            return 2;
        eh_x_gp_cli(scratch);
        return 99;
    }
    /* The state roles run pinned to CPU n next to each other. */
    if (capos_thread_set_affinity(1ULL << n) != CAPOS_OK)
        return 97;
    if (!strcmp(role, "bystander"))
        return role_bystander(40);
    if (!strcmp(role, "flags"))
        return role_flags(30);
    if (!strcmp(role, "fs"))
        role_fs(30);
    if (!strcmp(role, "fpu"))
        return role_fpu(30);
    if (!strcmp(role, "mxcsr"))
        return role_mxcsr(30);
    return 98;
}

/* ---- the driver ---- */

static int spawn_child(const char *role, const char *arg, uint32_t *handle)
{
    static const struct capos_grant g[] = {
        {.name = "console", .kernel = true, .kind = capos_KernelCapKind_console},
        {.name = "timer", .kernel = true, .kind = capos_KernelCapKind_timer},
        {.name = "memory", .kernel = true, .kind = capos_KernelCapKind_virtualMemory},
        {.name = "threads", .kernel = true, .kind = capos_KernelCapKind_threadSpawner},
        {.name = "park", .kernel = true, .kind = capos_KernelCapKind_parkSpace},
    };
    const char *argv[] = {"entry_hostile", role, arg};
    return capos_spawn(spawner, "entry_hostile", role, g, ARRAY_SIZE(g), argv, 3, 0, 0, handle);
}

/* Waits for a child: it must have exited with `code` (if code >= 0) or
 * faulted with vector vec0 or vec1 (if vec0 >= 0). */
static void expect_end(const char *who, uint32_t h, int code, int vec0, int vec1)
{
    struct capos_exit st;
    if (!wait_end(who, h, &st))
        return;
    bool ok = (code >= 0 && st.kind == capos_ExitStatus_which_exited && st.code == code) ||
              (vec0 >= 0 && st.kind == capos_ExitStatus_which_faulted &&
               (st.vector == vec0 || st.vector == vec1));
    if (!ok) {
        char got[128];
        describe(&st, got, sizeof(got));
        fail("%s ended %s", who, got);
    }
}

/* The state roles, started on every CPU at once; each role is one case. */
static void state_cases(void)
{
    static const struct {
        const char *role;
        int code, vec;
    } roles[] = {
        {"bystander", 0, -1}, {"flags", 0, -1}, {"fs", 0, -1}, {"fpu", -1, 16}, {"mxcsr", 0, 13},
    };
    uint32_t h[ARRAY_SIZE(roles)][64];
    char cpu[64][4];
    case_name = "state";
    for (unsigned c = 0; c < ncpus; c++) {
        fmt_snprintf(cpu[c], sizeof(cpu[c]), "%u", c);
        for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
            int r = spawn_child(roles[i].role, cpu[c], &h[i][c]);
            if (r != CAPOS_OK) {
                fail("spawn %s on cpu %u: %s", roles[i].role, c, capos_error_name(r));
                h[i][c] = 0;
            }
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
        begin(roles[i].role);
        for (unsigned c = 0; c < ncpus; c++) {
            char who[32];
            fmt_snprintf(who, sizeof(who), "%s on cpu %u", roles[i].role, c);
            if (h[i][c])
                expect_end(who, h[i][c], roles[i].code, roles[i].vec, roles[i].vec);
            else
                fail("%s on cpu %u did not start", roles[i].role, c);
        }
        end();
    }
}

static void exception_cases(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(xcases); i++) {
        uint32_t h;
        begin(xcases[i].name);
        int r = spawn_child("x", xcases[i].name, &h);
        if (r != CAPOS_OK)
            fail("spawn: %s", capos_error_name(r));
        else
            expect_end(xcases[i].name, h, xcases[i].may_return ? 99 : -1, xcases[i].vec[0],
                       xcases[i].vec[1]);
        end();
    }
    uint32_t h;
    begin("popf_iopl");
    if (spawn_child("popf-iopl", "", &h) != CAPOS_OK)
        fail("spawn");
    else
        expect_end("popf-iopl", h, -1, 13, 13);
    end();
}

/* `int $n` for every n, a batch of children at a time. */
static void int_case(void)
{
    enum { BATCH = 16 };
    begin("int_n");
    for (unsigned base = 0; base < 256; base += BATCH) {
        uint32_t h[BATCH];
        char arg[BATCH][4];
        for (unsigned k = 0; k < BATCH; k++) {
            fmt_snprintf(arg[k], sizeof(arg[k]), "%u", base + k);
            if (spawn_child("int", arg[k], &h[k]) != CAPOS_OK) {
                fail("spawn int %u", base + k);
                h[k] = 0;
            }
        }
        for (unsigned k = 0; k < BATCH; k++) {
            char who[16];
            int v = base + k == 3 ? 3 : 13;
            fmt_snprintf(who, sizeof(who), "int %u", base + k);
            if (h[k])
                expect_end(who, h[k], -1, v, v);
        }
    }
    end();
}

int main(int argc, char **argv)
{
    capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer);
    if (argc > 1 && argv[1][0])
        return child_main(argv[1], argc > 2 ? argv[2] : "");
    if (capos_capset_find("console", capos_Console_INTERFACE_ID, &console) != CAPOS_OK ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK) {
        capos_printf("entry-hostile: setup: FAIL: missing capabilities\n");
        return 1;
    }
    ncpus = count_cpus();
    capos_printf("entry-hostile: %u CPUs\n", ncpus);
    state_cases();
    exception_cases();
    int_case();
    capos_printf("entry-hostile: %u cases, %u failed\n", ncases, nfailed);
    return nfailed ? 1 : 0;
}
