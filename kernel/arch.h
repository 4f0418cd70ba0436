/*
 * What the portable kernel needs from the architecture, in one place: the
 * files outside kernel/arch/ reach the architecture through this header,
 * never through one under kernel/arch/ (the one exception is the context
 * switch, kernel/switch.h, which only the scheduler includes).  Each
 * function declared here is implemented under kernel/arch/<arch>/; what
 * runs on every lock or clock read is inline, in the architecture's
 * arch_inline.h, which this header includes (with the architecture's part
 * of struct cpu and the kernel's virtual layout: KERNEL_VMA,
 * DIRECT_MAP_VMA, KVA_BASE and KVA_SIZE).
 */
#ifndef CAPOS_KERNEL_ARCH_H
#define CAPOS_KERNEL_ARCH_H

#include "base/compiler.h"
#include "arch/x86_64/arch_inline.h"

struct ledger;
struct process;
struct thread;

/* ---- bring-up of the boot CPU, in the order kmain calls them ---- */

/* Descriptor tables, this_cpu() and exception handling. */
void arch_early_init(void);
/* Fills boot_info from what the loader passed kmain; false if the boot
 * protocol (`magic`) is unknown. */
bool arch_boot_info(uint32_t magic, uint64_t info_pa);
/* The kernel's page tables (after pmm_init) and the CPU's memory
 * protections; reports the CPU and its features. */
void arch_paging_init(void);
/* The interrupt controllers of the boot CPU. */
void arch_interrupts_init(void);
/* Calibrates the clock (arch_clock_ns) and starts this CPU's periodic tick
 * at `hz`, which calls time_tick. */
void arch_time_init(unsigned hz);
/* The rates measured by arch_time_init: the clock's and the tick timer's. */
uint64_t arch_clock_hz(void);
uint64_t arch_tick_timer_hz(void);
/* Fills the clock page's mode and the parameters with which user mode
 * turns the counter behind arch_clock_ns into nanoseconds (lib/abi/clock.h);
 * after arch_time_init. */
struct capos_clock_page;
void arch_clock_page_fill(struct capos_clock_page *pg);
/* Seconds since 1970-01-01 00:00:00 UTC from the machine's wall clock;
 * false if it could not be read. */
bool arch_wall_clock_s(uint64_t *epoch_s);
/* Prepares this CPU to run user threads (floating-point state, the
 * system-call entry). */
void arch_user_init_cpu(void);

/* ---- CPUs ---- */

/* Starts every usable CPU the firmware lists (up to MAX_CPUS, or `max` if
 * nonzero); the boot CPU calls it once, before the first process exists. */
void smp_init(unsigned max);

/* Bitmask of online CPUs. */
uint64_t smp_online_mask(void);

/* Makes `cpu` enter the kernel soon (its need_resched is already set). */
void smp_kick(unsigned cpu);

/* Answers a pending TLB shootdown request for this CPU, if any.  Every loop
 * that spins with interrupts off calls it, so a CPU that waits for a lock
 * held by a shootdown initiator cannot deadlock against it. */
void smp_poll(void);

/* Interrupt flag control for the current CPU. */
void arch_irq_disable(void);
void arch_irq_enable(void);

/* Halts every other CPU (panic path); a no-op until SMP is up. */
void arch_stop_other_cpus(void);

/* Ends the machine: QEMU exit through isa-debug-exit, else halt forever. */
NORETURN void arch_system_exit(int code);

/* Stops this CPU for good: interrupts off, halted (NMIs return to the halt). */
NORETURN void arch_halt_forever(void);

/* Waits for the next interrupt with interrupts enabled. */
void arch_wait_for_interrupt(void);

/* ---- threads ---- */

/* Prepares t's kernel stack so that switching to it enters user mode at
 * `entry` with the stack pointer `sp`, `arg0` and `arg1` as its first two
 * argument registers and a clean floating-point state. */
void arch_thread_setup_user(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg0,
                            uint64_t arg1);

/* Prepares t's kernel stack so that switching to it calls fn(arg) in the
 * kernel (after sched_switch_tail); fn never returns.  Kernel threads have
 * no process and run on the kernel's page tables. */
void arch_thread_setup_kernel(struct thread *t, void (*fn)(void *), void *arg);

/* Sets the third argument register a thread that has not run yet starts
 * with. */
void arch_thread_set_start_rdx(struct thread *t, uint64_t v);

/* Makes the running thread t, now in the kernel on a system call, return
 * to user mode as a new thread would start (arch_thread_setup_user, with
 * `arg2` as the third argument register): at `entry` with stack pointer
 * `sp`, every other register 0, a clean floating-point state and no
 * thread-pointer base (exec). */
void arch_thread_restart_user(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg0,
                              uint64_t arg1, uint64_t arg2);

/* Loads the address space `root` on this CPU (exec: the running process's
 * new one). */
void arch_space_activate(uint64_t root);

/* Sets the running thread's thread-pointer base (t->fs_base is already
 * updated). */
void arch_set_fs_base(uint64_t base);

/* ---- page tables ---- */

/* Mapping permissions, translated to the architecture's entry bits. */
enum {
    MAP_READ = 0,
    MAP_WRITE = 1 << 0,
    MAP_EXEC = 1 << 1,
    MAP_USER = 1 << 2,
    MAP_UNCACHED = 1 << 3,
    MAP_GLOBAL = 1 << 4,
    /* A user page whose frame is not charged to the address space's ledger
     * (a shared image page, imagepages.h): teardown drops its holder
     * without uncharging it. */
    MAP_UNCHARGED = 1 << 5,
    /* A read-only user page that an address-space copy (fork) made so: a
     * write to it is a copy-on-write break whatever region it lies in
     * (mm/fault.c), and it is writable again once its frame has one
     * holder.  Any change of permissions (protect) clears the mark. */
    MAP_COW = 1 << 6,
    /* A user page of a region mapped `shared` (VirtualMemory.map): an
     * address-space copy shares it writable instead of copy-on-write. */
    MAP_FORK_SHARED = 1 << 7,
};

/* The root table of the kernel's address space (the template for new
 * spaces). */
uint64_t paging_kernel_root(void);

/* A new address space sharing the kernel half; its root table is charged
 * to `ledger`.  Returns false when out of memory or quota. */
bool paging_create_space(uint64_t *root, struct ledger *ledger);

/*
 * Frees a user address space that nobody uses any more (no CPU has it
 * loaded, nothing walks it): every leaf frame of the user half (dropping
 * the process's hold on it, pmm_frame_put: a shared frame stays with its
 * other holders), every user page table and finally the root itself,
 * uncharging `ledger` for each.  Works in steps: start with
 * *cursor = 0; a step looks at about `budget` entries (a freed frame counts
 * as eight) and returns false with *cursor where the next step goes on, or
 * true once the root itself is freed.  Empty page tables are freed without
 * being read.
 */
bool paging_teardown(uint64_t root, uint64_t *cursor, unsigned budget, struct ledger *ledger);

/* Maps one 4 KiB page; returns KERR_NOMEM if a table could not be
 * allocated (or charged to `ledger`, when given), KERR_EXISTS if va is
 * already mapped. */
int paging_map(uint64_t root, uint64_t va, uint64_t pa, unsigned map_flags, struct ledger *ledger);

/* Maps frames[0..n) at n consecutive pages from va; returns how many were
 * mapped before a page table could not be allocated (or charged) or a page
 * was found mapped already (n on success). */
unsigned paging_map_pages(uint64_t root, uint64_t va, const uint64_t *frames, unsigned n,
                          unsigned map_flags, struct ledger *ledger);

/* Points the present mapping of va at frame pa with `map_flags` (the
 * frame it had is the caller's to release); false if va is not mapped.
 * The caller flushes TLBs. */
bool paging_remap(uint64_t root, uint64_t va, uint64_t pa, unsigned map_flags);

/* Removes the mapping of va (returning the frame in *pa); false if unmapped.
 * The caller flushes TLBs. */
bool paging_unmap(uint64_t root, uint64_t va, uint64_t *pa);

/* Removes the mappings of the n pages from va, storing the frames of those
 * that were mapped in frames[]; returns how many.  The caller flushes TLBs. */
unsigned paging_unmap_pages(uint64_t root, uint64_t va, unsigned n, uint64_t *frames);

/* Changes the permissions of the mapped pages among the n from va; true if
 * any changed (the caller then flushes TLBs).  A shared frame
 * (pmm_frame_shared) is never made writable: its first write copies it. */
bool paging_protect_pages(uint64_t root, uint64_t va, unsigned n, unsigned map_flags);

/*
 * Copy-on-write sharing for fork: every user page of `src` in
 * [*cursor, hi) is mapped at the same address in `dst` (an address space
 * with nothing mapped there), sharing the frame (pmm_frame_share) and
 * read-only in both; a page that was writable is marked MAP_COW in both.
 * A page marked MAP_FORK_SHARED stays writable in both: it is shared,
 * not copied.  A frame at its holder limit is copied for dst instead.  Each page
 * mapped is charged to `ledger` (dst's) unless MAP_UNCHARGED, and so are
 * the tables made for it.  Works in steps like paging_teardown: a step
 * looks at about `budget` entries and returns false with *cursor where
 * the next goes on, or true once the range is done.  False with *err
 * KERR_NOMEM when the quota or memory ran out (the page at *cursor is not
 * shared).  *narrowed says whether an entry of src lost its write
 * permission: the caller flushes src's TLBs.  Both address spaces' locks
 * are the caller's.
 */
bool paging_share(uint64_t src, uint64_t dst, uint64_t *cursor, uint64_t hi, unsigned budget,
                  struct ledger *ledger, bool *narrowed, int *err);

/* The lowest mapped page in [lo, hi) of a user address space (hi at most
 * the end of the user half), in *va; false if none.  Empty tables are
 * skipped without being read, so the cost is a few tables' worth of entries
 * whatever the range and however many tables exist.  The caller holds the
 * process lock. */
bool paging_find_mapped(uint64_t root, uint64_t lo, uint64_t hi, uint64_t *va);

/* The lowest unmapped page in [lo, hi) of a user address space, or hi if
 * every page is mapped.  Its cost grows with the mapped pages it passes
 * over: callers bound hi by what they know is mapped there. */
uint64_t paging_find_unmapped(uint64_t root, uint64_t lo, uint64_t hi);

/* The frame of the user page at va in `root`, if it is mapped for user
 * access (and writable, if `write`); false otherwise.  For copies into
 * another process (uspace.c), with its lock held. */
bool paging_user_page(uint64_t root, uint64_t va, bool write, uint64_t *pa);

/* Whether user page va of `root` is present, with the MAP_WRITE and
 * MAP_EXEC bits of its permissions in *map_flags (a page the user cannot
 * reach counts as absent).  The page-fault path, with the process lock
 * held. */
bool paging_user_entry(uint64_t root, uint64_t va, unsigned *map_flags);

/* After user mappings of `p` were removed or narrowed: flushes them from
 * this CPU and from every other CPU that may cache them; returns when done. */
void arch_tlb_flush_user(struct process *p, uint64_t va, uint64_t pages);

/* The same for kernel mappings, on every CPU. */
void arch_tlb_flush_kernel(uint64_t va, uint64_t pages);

/* ---- hardware random numbers (EntropySource) ---- */

/* What the CPU offers: 0 nothing, 1 a random number generator, 2 also a
 * conditioned entropy source. */
int arch_entropy_sources(void);
/* One attempt at a word from the entropy source (2) or the generator (1);
 * false on a transient failure, which the caller may retry. */
bool arch_entropy_word(int source, uint64_t *v);

#endif
