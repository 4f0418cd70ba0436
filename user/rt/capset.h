/*
 * The CapSet: how a program finds the capabilities it was started with.
 * Lookup is by name with an interface-id check, so a program cannot mistake
 * one kind of capability for another.
 */
#ifndef CAPOS_USER_RT_CAPSET_H
#define CAPOS_USER_RT_CAPSET_H

#include <stdint.h>

#include "abi/capset.h"

/* Validates and records the region the kernel mapped; false if malformed. */
int capos_capset_init(const void *region);

const struct capos_capset_header *capos_capset(void);

/* Finds `name`; if interface_id is non-zero the entry must have it.
 * Returns 0 and sets *cap, or CAPOS_ERR_NOT_FOUND / CAPOS_ERR_WRONG_INTERFACE. */
int capos_capset_find(const char *name, uint64_t interface_id, uint32_t *cap);

/* Status a program ends with when capos_capset_require fails. */
#define CAPOS_EXIT_MISSING_CAP 125

/* The capability `name` of interface `interface_id` (0: any), for a
 * program that cannot run without it.  If the CapSet has no such entry, or
 * one of another interface, prints one line saying so, what the CapSet does
 * hold, and that the manifest entry must grant it (through the "console"
 * capability, if there is one), and ends the process with status
 * CAPOS_EXIT_MISSING_CAP. */
uint32_t capos_capset_require(const char *name, uint64_t interface_id);

/* argv and the environment from the CapSet (NULL-terminated arrays built at
 * start-up; the strings stay in the read-only region). */
int capos_argc(void);
char **capos_argv(void);
char **capos_environ(void);

#endif
