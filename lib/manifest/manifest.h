/*
 * Boot manifest validation and lookup.
 *
 * The kernel boots from one binary SystemManifest (schema/capos.capnp) and
 * userspace init runs the service graph it describes.  Both call
 * manifest_validate() on the whole message before they act on any part of
 * it: every name, reference, grant parameter, restart policy, argument list
 * and embedded ELF image is checked, and the import graph is checked for
 * cycles.  After a successful validation the query helpers (manifest_open()
 * and friends) can be used without re-checking what validation promised.
 *
 * Failures are closed and specific: one enum manifest_err code, plus one line
 * of text naming the offending binary, service, grant or field, e.g.
 *   service "echo": grant "log": export "out" of service "logger" does not exist
 * Untrusted text that appears in a message is escaped (printable ASCII is kept,
 * other bytes become \xNN, and long text is cut with "..."), so the line is
 * always printable ASCII and safe to put on a console.  docs/manifest.md lists
 * every rule and message.
 *
 * Work is bounded by the limits, not by the message: every loop runs over a
 * list whose length has been checked against its limit first, names are found
 * by binary search in a sorted index, and the import graph is walked with an
 * explicit stack.  Nothing allocates; manifest_validate() uses about 4 KiB of
 * stack (an elf_info, a capnp reader, a 64x64-bit dependency matrix and the
 * locals of the passes).
 *
 * Trusts: that the buffer does not change while it is validated and queried
 * (the kernel keeps the boot module where no process can write it), and that
 * the limits are the caller's own.
 */
#ifndef CAPOS_LIB_MANIFEST_MANIFEST_H
#define CAPOS_LIB_MANIFEST_MANIFEST_H

#include "base/compiler.h"
#include "capnp/capnp.h"
#include "elf/elf.h"
/*
 * Reached relative to this header: the kernel build puts only lib/ (not gen/)
 * on its include path, and this file is compiled into the kernel.
 */
#include "capos.capnp.h"

/* The only formatVersion this validator understands. */
#define MANIFEST_FORMAT_VERSION 1u
/*
 * Hard caps that the limits may lower but not raise: names are copied into
 * fixed 32-byte fields (31 bytes and a NUL), service dependencies are kept as
 * one 64-bit mask per service, and each global name index is a byte array.
 */
#define MANIFEST_NAME_MAX      31u
#define MANIFEST_MAX_BINARIES  64u
#define MANIFEST_MAX_SERVICES  64u
#define MANIFEST_MAX_ENDPOINTS 64u
/*
 * Per service; they bound the pairwise name comparisons, and
 * manifest_start_order() accepts no more grants than this.
 */
#define MANIFEST_MAX_GRANTS  64u
#define MANIFEST_MAX_EXPORTS 32u
/* Granularity of VirtualMemory.memoryLimit. */
#define MANIFEST_PAGE_SIZE 4096u
/* Largest SchedulingPolicy maxWeight (the scheduler's weight ceiling). */
#define MANIFEST_MAX_WEIGHT 65536u

enum manifest_err {
    MANIFEST_OK = 0,
    MANIFEST_ERR_ARG,       /* NULL buffer handle, or limits outside the hard caps */
    MANIFEST_ERR_MALFORMED, /* not a well-formed Cap'n Proto message */
    MANIFEST_ERR_VERSION,   /* formatVersion is not 1 */
    MANIFEST_ERR_TOO_MANY,  /* a list longer than its limit */
    MANIFEST_ERR_NAME,      /* a name empty, too long, or with a forbidden byte */
    MANIFEST_ERR_DUPLICATE, /* a name defined twice in its scope */
    MANIFEST_ERR_ELF,       /* an embedded binary fails elf_parse() */
    MANIFEST_ERR_NOT_FOUND, /* a reference to a binary, service, export or endpoint that is absent
                             */
    MANIFEST_ERR_GRANT,     /* a grant's source or its parameters are invalid */
    MANIFEST_ERR_RESTART,   /* an invalid restart policy */
    MANIFEST_ERR_ARGS,      /* an invalid argv or env entry */
    MANIFEST_ERR_CYCLE,     /* services import each other's exports in a cycle */
    MANIFEST_ERR_NOT_INIT,  /* the init binary does not carry the init note (lib/abi/note.h) */
    MANIFEST_ERR_COUNT
};

/* A fixed English name for `e`; never NULL, even for unknown values. */
const char *manifest_strerror(enum manifest_err e);

/*
 * What the caller allows.  Counts are per manifest unless marked per service;
 * allowedBinaries lists are bounded by max_binaries.
 */
struct manifest_limits {
    uint32_t max_binaries;     /* <= MANIFEST_MAX_BINARIES */
    uint32_t max_services;     /* <= MANIFEST_MAX_SERVICES */
    uint32_t max_endpoints;    /* <= MANIFEST_MAX_ENDPOINTS */
    uint32_t max_grants;       /* per service, <= MANIFEST_MAX_GRANTS */
    uint32_t max_exports;      /* per service, <= MANIFEST_MAX_EXPORTS */
    uint32_t max_argv;         /* argv entries per service */
    uint32_t max_env;          /* env entries per service */
    uint32_t max_arg_len;      /* bytes in one argv or env entry */
    uint32_t max_name_len;     /* 1..MANIFEST_NAME_MAX */
    uint32_t max_restarts;     /* ceiling of RestartPolicy.maxRestarts */
    uint32_t max_backoff_ms;   /* ceiling of RestartPolicy.backoffMs */
    uint64_t max_memory_limit; /* ceiling of KernelCap.memoryLimit, in bytes */
    struct elf_limits elf;     /* applied to every Binary.elf */
};

/*
 * The defaults: 64 binaries, services and endpoints; 32 grants and 16 exports
 * per service; 64 argv and 64 env entries of at most 1024 bytes; names of at
 * most 31 bytes; maxRestarts <= 1000; backoffMs <= 60000; memoryLimit <= 1 GiB;
 * ELF images inside the user range [CAPOS_USER_MIN, CAPOS_USER_MAX)
 * (lib/abi/layout.h) needing at most 1 GiB.  A caller with another range
 * or memory ceiling substitutes its own.
 */
struct manifest_limits manifest_default_limits(void);

/*
 * The limits the kernel validates the boot module with: the defaults, with
 * every ELF image inside the kernel's process image range
 * [CAPOS_USER_MIN, CAPOS_USER_MAP_MAX) and needing at most a process's
 * default frame quota, MANIFEST_BOOT_IMAGE_BYTES.  The build checks every
 * manifest in system/ with these on the host (tools/manifest-check.c), so a
 * manifest that builds is one the kernel accepts; the kernel compares them
 * with its loader's own bounds at boot.
 */
#define MANIFEST_BOOT_IMAGE_BYTES (64ULL << 20)
struct manifest_limits manifest_boot_limits(void);

/* Counts for the boot report. */
struct manifest_summary {
    uint32_t binaries;
    uint32_t services;
    uint32_t grants; /* over all services */
    uint32_t exports;
    uint32_t endpoints;
    uint64_t elf_bytes; /* total size of the embedded images */
    uint64_t ro_pages;  /* pages of their read-only segments, all binaries together */
};

/*
 * Validates the whole `len`-byte message at `buf` against `lim` (NULL for the
 * defaults).  On MANIFEST_OK, *sum (if not NULL) holds the counts and `why`
 * is an empty string.  On failure, `why` holds one line without a newline,
 * cut to why_len - 1 bytes; *sum is untouched.  `why` may be NULL if why_len
 * is 0.  Rules are checked in a fixed order, so the same message always
 * yields the same first error.
 */
enum manifest_err manifest_validate(const void *buf, size_t len, const struct manifest_limits *lim,
                                    struct manifest_summary *sum, char *why,
                                    size_t why_len) WARN_UNUSED;

/*
 * A validated manifest, for lookups.  `root` and every handle taken from it
 * point into `rd`, so a struct manifest must not be copied or moved after
 * manifest_open().  Each query below starts from a freshly initialised reader
 * (same buffer, full traversal budget), so any number of queries can be made;
 * handles taken from `root` stay valid across them.
 */
struct manifest {
    const void *buf;
    size_t len;
    struct capnp_reader rd;
    capos_SystemManifest_reader root;
};

/*
 * Opens `buf` for queries: MANIFEST_ERR_MALFORMED if even the framing or the
 * root pointer is bad.  Meant for a buffer manifest_validate() accepted; on
 * anything else the queries stay memory-safe but answer "not found".
 */
enum manifest_err manifest_open(struct manifest *m, const void *buf, size_t len) WARN_UNUSED;

/* The ELF image of binary `name` (`len` bytes, no NUL needed), pointing into the buffer. */
bool manifest_find_binary(struct manifest *m, const char *name, size_t len, const uint8_t **elf,
                          size_t *elf_len) WARN_UNUSED;

/* The index of service `name` in SystemManifest.services. */
bool manifest_find_service(struct manifest *m, const char *name, size_t len,
                           uint32_t *index) WARN_UNUSED;

/*
 * Writes every service index once into order[0..*count), such that each
 * service comes after every service whose export it imports; among services
 * that are ready at the same time, the one listed first in the manifest comes
 * first.  Errors: MANIFEST_ERR_ARG if `max` is smaller than the number of
 * services; MANIFEST_ERR_TOO_MANY, MANIFEST_ERR_MALFORMED or
 * MANIFEST_ERR_CYCLE on a manifest that validation would have refused.
 */
enum manifest_err manifest_start_order(struct manifest *m, uint32_t *order, uint32_t max,
                                       uint32_t *count) WARN_UNUSED;

#endif
