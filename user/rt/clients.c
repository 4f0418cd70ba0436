/*
 * Typed clients of the kernel interfaces under the names programs use
 * (capos.h), each a thin wrapper of a generated stub (gen/capos.rpc.h) that
 * turns C arguments into the method's argument struct and its results into
 * outputs.  The return value is the call's ErrorCode; outputs are written
 * only on success.  The message helpers at the top are for code that
 * builds messages of its own (a service's protocol, a deliberately odd
 * request in a test).
 */
#include "capos.h"

#include "base/mem.h"

void capos_msg_init(struct capos_msg *m)
{
    capnp_builder_init(&m->b, m->arena, sizeof(m->arena));
}

int capos_msg_finish(struct capos_msg *m, const uint8_t **out, uint32_t *len)
{
    size_t n;
    if (capnp_builder_finish(&m->b, out, &n) != CAPNP_OK)
        return CAPOS_ERR_INVALID_ARGUMENT;
    *len = (uint32_t)n;
    return CAPOS_OK;
}

bool capos_msg_read(struct capnp_reader *r, const void *buf, uint32_t len)
{
    return capnp_reader_init(r, buf, len, NULL) == CAPNP_OK;
}

int capos_client_call(uint32_t cap, uint64_t iid, uint16_t method, struct capos_msg *m, void *res,
                      uint32_t res_cap, uint32_t *res_len)
{
    const uint8_t *out = 0;
    uint32_t len = 0;
    struct capos_cqe cqe;
    if (m) {
        int err = capos_msg_finish(m, &out, &len);
        if (err)
            return err;
    }
    int err = capos_call(cap, iid, method, out, len, res, res_cap, 0, 0, &cqe);
    if (res_len)
        *res_len = cqe.result_len;
    return err;
}

const char *capos_detail_name(char *buf, size_t len, uint32_t detail, uint64_t interface_id,
                              uint16_t method)
{
    return capos_rpc_detail_format(buf, len, detail, interface_id, method, capos_rpc_names,
                                   sizeof(capos_rpc_names) / sizeof(capos_rpc_names[0]));
}

int capos_console_write(uint32_t cap, const void *data, size_t len)
{
    if (len > UINT32_MAX)
        return CAPOS_ERR_INVALID_ARGUMENT;
    capos_Console_write_args a = {.data = {data, (uint32_t)len}};
    return capos_Console_write_call(cap, &a, 0, 0);
}

int capos_console_write_line(uint32_t cap, const char *text)
{
    capos_Console_writeLine_args a = {.text = {text, (uint32_t)strlen(text)}};
    return capos_Console_writeLine_call(cap, &a, 0, 0);
}

int capos_timer_now(uint32_t cap, uint64_t *ns)
{
    capos_Timer_now_results r;
    int err = capos_Timer_now_call(cap, 0, &r, 0);
    if (err == CAPOS_OK)
        *ns = r.ns;
    return err;
}

int capos_timer_sleep(uint32_t cap, uint64_t ns)
{
    capos_Timer_sleep_args a = {.ns = ns};
    return capos_Timer_sleep_call(cap, &a, 0, 0);
}

int capos_entropy_fill(uint32_t cap, void *buf, uint32_t len)
{
    uint64_t res[capos_EntropySource_fill_RESULT_BYTES / 8];
    struct capos_rpc_opts o = {.buf = res, .buf_len = sizeof(res)};
    capos_EntropySource_fill_args a = {.len = len};
    capos_EntropySource_fill_results r;
    int err = capos_EntropySource_fill_call(cap, &a, &r, &o);
    if (err != CAPOS_OK)
        return err;
    if (r.bytes.len != len)
        return CAPOS_ERR_INVALID_ARGUMENT;
    memcpy(buf, r.bytes.ptr, len);
    return CAPOS_OK;
}

int capos_vm_map(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot, uint64_t *out)
{
    capos_VirtualMemory_map_args a = {.addr = addr, .len = len, .prot = prot};
    capos_VirtualMemory_map_results r;
    int err = capos_VirtualMemory_map_call(cap, &a, &r, 0);
    if (err == CAPOS_OK)
        *out = r.addr;
    return err;
}

int capos_vm_map_commit(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot, uint64_t *out)
{
    capos_VirtualMemory_map_args a = {.addr = addr, .len = len, .prot = prot, .commit = true};
    capos_VirtualMemory_map_results r;
    int err = capos_VirtualMemory_map_call(cap, &a, &r, 0);
    if (err == CAPOS_OK)
        *out = r.addr;
    return err;
}

int capos_vm_unmap(uint32_t cap, uint64_t addr, uint64_t len)
{
    capos_VirtualMemory_unmap_args a = {.addr = addr, .len = len};
    return capos_VirtualMemory_unmap_call(cap, &a, 0, 0);
}

int capos_vm_protect(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot)
{
    capos_VirtualMemory_protect_args a = {.addr = addr, .len = len, .prot = prot};
    return capos_VirtualMemory_protect_call(cap, &a, 0, 0);
}

int capos_vm_quota(uint32_t cap, uint64_t *limit, uint64_t *used)
{
    capos_VirtualMemory_quota_results r;
    int err = capos_VirtualMemory_quota_call(cap, 0, &r, 0);
    if (err == CAPOS_OK) {
        *limit = r.limit;
        *used = r.used;
    }
    return err;
}

int capos_vm_limit(uint32_t cap, uint64_t bytes, uint32_t *limited)
{
    capos_VirtualMemory_limit_args a = {.bytes = bytes};
    capos_VirtualMemory_limit_results r;
    int err = capos_VirtualMemory_limit_call(cap, &a, &r, 0);
    if (err == CAPOS_OK)
        *limited = r.memory;
    return err;
}

int capos_boot_size(uint32_t cap, uint64_t *size)
{
    capos_BootPackage_size_results r;
    int err = capos_BootPackage_size_call(cap, 0, &r, 0);
    if (err == CAPOS_OK)
        *size = r.bytes;
    return err;
}

/* A read's result is too large for small thread stacks: one buffer, which
 * the process's threads take turns with. */
static uint64_t boot_read_res[capos_BootPackage_read_RESULT_BYTES / 8];
static struct capos_mutex boot_read_lock = CAPOS_MUTEX_INIT;

int capos_boot_read(uint32_t cap, uint64_t offset, void *buf, uint32_t len, uint32_t *got)
{
    struct capos_rpc_opts o = {.buf = boot_read_res, .buf_len = sizeof(boot_read_res)};
    capos_BootPackage_read_args a = {.offset = offset,
                                     .len = len < capos_maxBootRead ? len : capos_maxBootRead};
    capos_BootPackage_read_results r;
    capos_mutex_lock(&boot_read_lock);
    int err = capos_BootPackage_read_call(cap, &a, &r, &o);
    if (err == CAPOS_OK && r.data.len > a.len)
        err = CAPOS_ERR_INVALID_ARGUMENT;
    if (err == CAPOS_OK) {
        memcpy(buf, r.data.ptr, r.data.len);
        *got = r.data.len;
    }
    capos_mutex_unlock(&boot_read_lock);
    return err;
}
