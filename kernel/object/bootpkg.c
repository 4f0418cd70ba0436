/*
 * BootPackage object: read-only access to the boot manifest as the kernel
 * received it.  Reads are chunked (at most 32 KiB per call) so that results
 * fit a message; the caller assembles the whole manifest itself.
 */
#include "abi/errors.h"
#include "msg.h"
#include "objects.h"

#define BOOTPKG_MAX_READ 32768

struct kobj bootpkg_obj = {KOBJ_BOOT_PACKAGE, 0};
static const uint8_t *bootpkg_data;
static uint64_t bootpkg_len;

void bootpkg_set_manifest(const void *data, uint64_t len)
{
    bootpkg_data = data;
    bootpkg_len = len;
}

int bootpkg_invoke(struct kobj *o, struct call *c)
{
    struct capnp_reader r;
    struct capnp_builder b;
    (void)o;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    switch (c->sqe->method) {
    case capos_BootPackage_method_size:
        call_result_begin(c, &b);
        capos_BootPackage_size_Results_set_bytes(capos_BootPackage_size_Results_init_root(&b),
                                                 bootpkg_len);
        return call_result_end(c, &b);
    case capos_BootPackage_method_read: {
        capos_BootPackage_read_Params_reader p = capos_BootPackage_read_Params_read_root(&r);
        uint64_t off = capos_BootPackage_read_Params_get_offset(p);
        uint32_t len = capos_BootPackage_read_Params_get_len(p);
        if (!call_params_ok(&r) || off > bootpkg_len || len > BOOTPKG_MAX_READ)
            return CAPOS_ERR_INVALID_ARGUMENT;
        if (len > bootpkg_len - off)
            len = (uint32_t)(bootpkg_len - off);
        call_result_begin(c, &b);
        capos_BootPackage_read_Results_set_data(capos_BootPackage_read_Results_init_root(&b),
                                                bootpkg_data + off, len);
        return call_result_end(c, &b);
    }
    default: return CAPOS_ERR_UNKNOWN_METHOD;
    }
}
