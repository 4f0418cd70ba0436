/*
 * BootPackage object: read-only access to the boot manifest as the kernel
 * received it.  Reads are chunked (at most 32 KiB per call, a bound the
 * schema states and the generated decoder enforces) so that results fit a
 * message; the caller assembles the whole manifest itself.
 */
#include "capos.rpc.h"
#include "msg.h"
#include "objects.h"

struct kobj bootpkg_obj = {KOBJ_BOOT_PACKAGE, 0};
static const uint8_t *bootpkg_data;
static uint64_t bootpkg_len;

void bootpkg_set_manifest(const void *data, uint64_t len)
{
    bootpkg_data = data;
    bootpkg_len = len;
}

capos_BootPackage_SERVER(bootpkg, struct kobj, struct call);

int bootpkg_invoke(struct kobj *o, struct call *c)
{
    return bootpkg_dispatch(o, c);
}

static int bootpkg_size(struct kobj *o, struct call *c, const capos_BootPackage_size_args *a)
{
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_BootPackage_size_encode_results(&b,
                                          &(capos_BootPackage_size_results){.bytes = bootpkg_len});
    return call_result_end(c, &b);
}

static int bootpkg_read(struct kobj *o, struct call *c, const capos_BootPackage_read_args *a)
{
    if (a->offset > bootpkg_len)
        return capos_rpc_refuse(&c->rpc, capos_BootPackage_read_field_offset);
    /* A read past the end is cut short, not refused. */
    uint32_t len = a->len > bootpkg_len - a->offset ? (uint32_t)(bootpkg_len - a->offset) : a->len;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_BootPackage_read_encode_results(
        &b, &(capos_BootPackage_read_results){.data = {bootpkg_data + a->offset, len}});
    return call_result_end(c, &b);
}
