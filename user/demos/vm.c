/* VirtualMemory demo: maps, uses, re-protects and unmaps memory, checks the
 * quota accounting, W^X, and that running out of quota is a clean error. */
#include "capos.h"

#include "base/mem.h"

#define MIB (1024ULL * 1024)

static int check(const char *what, int got, int want)
{
    if (got == want)
        return 0;
    capos_printf("vm: FAILED: %s gave %s, expected %s\n", what, capos_error_name(got),
                 capos_error_name(want));
    return 1;
}

int main(int argc, char **argv)
{
    uint32_t vm;
    uint64_t addr, addr2, limit, used0, used1, used2;
    int bad = 0;
    (void)argc, (void)argv;
    if (capos_capset_find("memory", capos_VirtualMemory_INTERFACE_ID, &vm) != CAPOS_OK)
        return 1;
    capos_vm_quota(vm, &limit, &used0);
    if (capos_vm_map(vm, 0, 2 * MIB, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr) != CAPOS_OK)
        return 2;
    uint64_t *p = (uint64_t *)(uintptr_t)addr;
    for (uint64_t i = 0; i < 2 * MIB / 8; i++) {
        if (p[i] != 0)
            return 3; /* fresh memory is zeroed */
        p[i] = i * 2654435761u;
    }
    for (uint64_t i = 0; i < 2 * MIB / 8; i++) {
        if (p[i] != i * 2654435761u)
            return 4;
    }
    capos_vm_quota(vm, &limit, &used1);
    if (used1 < used0 + 2 * MIB)
        return 5;
    capos_printf("vm: mapped 2 MiB at %#lx; quota %lu KiB, used %lu -> %lu KiB\n",
                 (unsigned long)addr, (unsigned long)(limit / 1024), (unsigned long)(used0 / 1024),
                 (unsigned long)(used1 / 1024));

    bad |= check("protect read-only", capos_vm_protect(vm, addr, MIB, CAPOS_PROT_READ), CAPOS_OK);
    bad |= check("map W+X", capos_vm_map(vm, 0, 4096, 7, &addr2), CAPOS_ERR_INVALID_ARGUMENT);
    bad |= check("map unaligned", capos_vm_map(vm, 0, 100, 3, &addr2), CAPOS_ERR_INVALID_ARGUMENT);
    bad |= check("map overlapping", capos_vm_map(vm, addr + MIB, 4096, 3, &addr2),
                 CAPOS_ERR_ALREADY_EXISTS);
    bad |= check("map kernel half", capos_vm_map(vm, 0xffff800000000000ULL, 4096, 3, &addr2),
                 CAPOS_ERR_INVALID_ARGUMENT);
    bad |= check("map over quota", capos_vm_map(vm, 0, limit, 3, &addr2), CAPOS_ERR_QUOTA_EXCEEDED);
    bad |= check("unmap the stack", capos_vm_unmap(vm, CAPOS_USER_STACK_TOP - 4096, 4096),
                 CAPOS_ERR_INVALID_ARGUMENT);
    bad |= check("unmap the middle", capos_vm_unmap(vm, addr + MIB / 2, MIB), CAPOS_OK);
    bad |= check("unmap twice", capos_vm_unmap(vm, addr + MIB / 2, MIB), CAPOS_ERR_NOT_FOUND);
    /* The pages around the hole are still there. */
    if (p[0] != 0 || p[2 * MIB / 8 - 1] != (2 * MIB / 8 - 1) * 2654435761u)
        return 6;
    bad |= check("unmap the rest", capos_vm_unmap(vm, addr, MIB / 2), CAPOS_OK);
    bad |= check("unmap the tail", capos_vm_unmap(vm, addr + 3 * MIB / 2, MIB / 2), CAPOS_OK);
    capos_vm_quota(vm, &limit, &used2);
    if (used2 > used0 + 64 * 1024) {
        capos_printf("vm: FAILED: %lu KiB still charged after unmapping\n",
                     (unsigned long)((used2 - used0) / 1024));
        return 7;
    }
    /* Attenuation: a facet limited to 1 MiB, handed out without an IPC hop. */
    uint32_t small;
    uint64_t blimit, bused, a1, a2;
    bad |= check("limit", capos_vm_limit(vm, MIB, &small), CAPOS_OK);
    bad |= check("limited map 512K", capos_vm_map(small, 0, MIB / 2, 3, &a1), CAPOS_OK);
    bad |= check("limited map over budget", capos_vm_map(small, 0, MIB, 3, &a2),
                 CAPOS_ERR_QUOTA_EXCEEDED);
    bad |= check("limit beyond the facet's room", capos_vm_limit(small, MIB, &small),
                 CAPOS_ERR_INVALID_ARGUMENT);
    capos_vm_quota(small, &blimit, &bused);
    if (blimit != MIB || bused != MIB / 2)
        bad = 1;
    /* Unmapping through the unlimited facet refunds the budget it was charged to. */
    bad |= check("unmap limited memory", capos_vm_unmap(vm, a1, MIB / 2), CAPOS_OK);
    capos_vm_quota(small, &blimit, &bused);
    if (bused != 0)
        bad = 1;
    bad |= check("limited map after refund", capos_vm_map(small, 0, MIB, 3, &a2), CAPOS_OK);
    capos_printf("vm: limited facet: 1 MiB budget enforced and refunded\n");

    /* The heap grows on the same capability. */
    void *big = malloc(3 * MIB);
    if (!big)
        return 8;
    memset(big, 0xab, 3 * MIB);
    free(big);
    if (bad)
        return 9;
    capos_printf("vm: ok\n");
    return 0;
}
