/*
 * Quota accounts of the file service: a limit and a count of file bytes
 * (whole pages held) and of entries.  Accounts form a tree; a charge must
 * fit the account and every account above it, and is made on all of them
 * or on none, so no account is ever over its limit.
 */
#ifndef CAPOS_LIB_FS_ACCOUNT_H
#define CAPOS_LIB_FS_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

struct fs_account {
    struct fs_account *parent; /* NULL for a root account */
    uint64_t bytes_limit, bytes_used;
    uint64_t entries_limit, entries_used;
};

/* Charges `bytes` and `entries` to `a` and its ancestors; false, charging
 * nothing, if any of them has no room. */
bool fs_account_charge(struct fs_account *a, uint64_t bytes, uint64_t entries);

/* Gives back what a charge of the same amounts took. */
void fs_account_uncharge(struct fs_account *a, uint64_t bytes, uint64_t entries);

#endif
