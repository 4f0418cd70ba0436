/*
 * In-kernel test of demand paging and copy-on-write (ktest=cow, test
 * kernel only): two bare address spaces, each with one region and its own
 * ledger, exercised through vm_fault exactly as the page-fault handler
 * calls it.  It checks what a fault charges (one frame, plus page tables
 * the first time), that a second fault on a filled page changes nothing,
 * that faults outside a region or against its prot are refused, that a
 * fault at the quota changes nothing, that a shared frame stays read-only
 * through protect, that a write to it copies (the other holder keeps the
 * original) and that the last holder's write upgrades in place, and that
 * teardown returns every frame and every charge.  The sharing is set up by
 * hand, as an address-space copy would make it.
 */
#ifdef CAPOS_KTEST
#include "ktest.h"

#include "base/mem.h"
#include "mm/fault.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "panic.h"
#include "printk.h"
#include "process.h"

#define KT_VA    0x0000200000000000ULL
#define KT_PAGES 4

static struct process kt_proc[2];
static unsigned kt_failures;

static void kt_check(bool ok, const char *what)
{
    if (!ok) {
        kprintf("ktest: cow: FAIL: %s\n", what);
        kt_failures++;
    }
}

static void kt_space(struct process *p, uint64_t limit)
{
    memset(p, 0, sizeof(*p));
    p->lock = (struct spinlock)SPINLOCK_INIT("ktest-proc");
    p->state = PROCESS_ALIVE;
    p->ledger = ledger_create(&kernel_ledger, limit, NULL);
    if (!p->ledger || !paging_create_space(&p->root, p->ledger))
        panic("ktest: cow: no memory for a test address space");
    p->vm[0] = (struct vm_region){
        KT_VA, KT_VA + KT_PAGES * PAGE_SIZE, VM_PROT_READ | VM_PROT_WRITE, false, NULL, false};
    p->vm_count = 1;
}

static uint64_t kt_frame(struct process *p, uint64_t va, bool write)
{
    uint64_t pa = 0;
    return paging_user_page(p->root, va, write, &pa) ? pa : 0;
}

static void kt_teardown(struct process *p)
{
    uint64_t cursor = 0;
    while (!paging_teardown(p->root, &cursor, 64, p->ledger))
        ;
    p->root = 0;
    kt_check(ledger_used(p->ledger) == 0, "teardown leaves nothing charged");
}

void ktest_cow(void)
{
    struct process *a = &kt_proc[0], *b = &kt_proc[1];
    kt_space(a, 16);
    kt_space(b, 16);
    uint64_t free0 = pmm_free_count(); /* the two roots taken */

    /* Demand-zero: the first touch charges the frame and the tables the
     * path needed; the next page of the same table only its frame. */
    uint64_t used = ledger_used(a->ledger);
    kt_check(vm_fault(a, KT_VA + 5, VM_PROT_WRITE) == VMF_OK, "first write fault");
    kt_check(ledger_used(a->ledger) == used + 4, "first fault: a frame and three tables");
    used = ledger_used(a->ledger);
    kt_check(vm_fault(a, KT_VA, VM_PROT_WRITE) == VMF_OK, "second fault on the page");
    kt_check(vm_fault(a, KT_VA + PAGE_SIZE, VM_PROT_READ) == VMF_OK, "read fault");
    kt_check(ledger_used(a->ledger) == used + 1, "a filled page is charged once");
    uint64_t pa = kt_frame(a, KT_VA, true);
    kt_check(pa != 0, "the page is mapped writable");
    kt_check(pa && ((uint8_t *)phys_to_virt(pa))[77] == 0, "the page is zeroed");

    /* Refused: outside the region, a fetch from a no-exec region, a
     * reserved access; nothing is charged. */
    used = ledger_used(a->ledger);
    kt_check(vm_fault(a, KT_VA + KT_PAGES * PAGE_SIZE, VM_PROT_READ) == VMF_DENIED,
             "fault past the region");
    kt_check(vm_fault(a, KT_VA - 1, VM_PROT_WRITE) == VMF_DENIED, "fault below the region");
    kt_check(vm_fault(a, KT_VA + 2 * PAGE_SIZE, VM_PROT_EXEC) == VMF_DENIED, "fetch fault");
    kt_check(vm_fault(a, KT_VA, VM_PROT_EXEC) == VMF_DENIED, "fetch from a present page");
    kt_check(ledger_used(a->ledger) == used, "refused faults charge nothing");

    /* At the quota: refused, nothing mapped or charged. */
    uint64_t room = ledger_room(a->ledger);
    kt_check(ledger_charge(a->ledger, room), "fill the quota");
    kt_check(vm_fault(a, KT_VA + 3 * PAGE_SIZE, VM_PROT_WRITE) == VMF_QUOTA, "fault at the quota");
    kt_check(kt_frame(a, KT_VA + 3 * PAGE_SIZE, false) == 0, "nothing mapped at the quota");
    ledger_uncharge(a->ledger, room);

    /* Share a's first page with b, as an address-space copy would: both
     * map it read-only, and b is charged for its mapping. */
    memset(phys_to_virt(pa), 0x5a, PAGE_SIZE);
    kt_check(pmm_frame_share(pa), "share the frame");
    kt_check(ledger_charge(b->ledger, 1), "charge b for its mapping");
    kt_check(paging_map(b->root, KT_VA, pa, MAP_USER, b->ledger) == 0, "map it in b");
    paging_protect_pages(a->root, KT_VA, 1, MAP_USER);
    kt_check(kt_frame(a, KT_VA, true) == 0, "a's mapping is read-only");
    paging_protect_pages(a->root, KT_VA, 1, MAP_USER | MAP_WRITE);
    kt_check(kt_frame(a, KT_VA, true) == 0, "protect keeps a shared frame read-only");
    kt_check(vm_fault(b, KT_VA, VM_PROT_READ) == VMF_OK, "a read of the shared page");

    /* b writes: a copy for b, charged already; a keeps the original. */
    used = ledger_used(b->ledger);
    kt_check(vm_fault(b, KT_VA + 9, VM_PROT_WRITE) == VMF_OK, "b's write to the shared page");
    uint64_t pb = kt_frame(b, KT_VA, true);
    kt_check(pb != 0 && pb != pa, "b has a writable copy");
    kt_check(pb && memcmp(phys_to_virt(pb), phys_to_virt(pa), PAGE_SIZE) == 0,
             "the copy has the contents");
    kt_check(ledger_used(b->ledger) == used, "breaking the sharing charges nothing more");
    kt_check(!pmm_frame_shared(pa), "a is the frame's last holder");
    kt_check(kt_frame(a, KT_VA, false) == pa && kt_frame(a, KT_VA, true) == 0,
             "a still maps the original read-only");

    /* a writes: the last holder gets the page writable in place. */
    used = ledger_used(a->ledger);
    kt_check(vm_fault(a, KT_VA, VM_PROT_WRITE) == VMF_OK, "a's write to its unshared page");
    kt_check(kt_frame(a, KT_VA, true) == pa, "a's page is writable in place");
    kt_check(ledger_used(a->ledger) == used, "the upgrade charges nothing");

    kt_teardown(a);
    kt_teardown(b);
    kt_check(pmm_free_count() == free0 + 2, "every frame is back");
    ledger_put(a->ledger);
    ledger_put(b->ledger);
    if (kt_failures) {
        kprintf("ktest: cow: %u failed\n", kt_failures);
        system_exit(SYSTEM_EXIT_FAILURE);
    }
    kprintf("ktest: cow: ok\n");
    system_exit(SYSTEM_EXIT_SUCCESS);
}
#endif
