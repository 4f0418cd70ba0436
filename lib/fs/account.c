/*
 * Quota accounts (account.h).  Invariant: for every account, used <= limit,
 * and an account's count includes everything charged to the accounts below
 * it.  A charge checks the whole chain first, then adds, so a refused
 * charge changes nothing.
 */
#include "fs/account.h"

bool fs_account_charge(struct fs_account *a, uint64_t bytes, uint64_t entries)
{
    for (struct fs_account *p = a; p; p = p->parent) {
        if (bytes > p->bytes_limit - p->bytes_used || entries > p->entries_limit - p->entries_used)
            return false;
    }
    for (struct fs_account *p = a; p; p = p->parent) {
        p->bytes_used += bytes;
        p->entries_used += entries;
    }
    return true;
}

void fs_account_uncharge(struct fs_account *a, uint64_t bytes, uint64_t entries)
{
    for (struct fs_account *p = a; p; p = p->parent) {
        p->bytes_used -= bytes;
        p->entries_used -= entries;
    }
}
