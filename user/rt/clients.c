/*
 * Typed clients of the kernel interfaces.  Each builds the method's
 * parameter struct with the generated builders, makes one synchronous call
 * and reads the result struct with the generated readers.  The return value
 * is the call's ErrorCode; outputs are written only on success.
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

int capos_console_write(uint32_t cap, const void *data, size_t len)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_Console_write_Params_set_data(capos_Console_write_Params_init_root(&m.b), data, len);
    return capos_client_call(cap, capos_Console_INTERFACE_ID, capos_Console_method_write, &m, 0, 0,
                             0);
}

int capos_console_write_line(uint32_t cap, const char *text)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_Console_writeLine_Params_set_text(capos_Console_writeLine_Params_init_root(&m.b), text,
                                            strlen(text));
    return capos_client_call(cap, capos_Console_INTERFACE_ID, capos_Console_method_writeLine, &m, 0,
                             0, 0);
}

int capos_timer_now(uint32_t cap, uint64_t *ns)
{
    uint64_t res[8];
    uint32_t len;
    struct capnp_reader r;
    int err = capos_client_call(cap, capos_Timer_INTERFACE_ID, capos_Timer_method_now, 0, res,
                                sizeof(res), &len);
    if (err)
        return err;
    if (!capos_msg_read(&r, res, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    *ns = capos_Timer_now_Results_get_ns(capos_Timer_now_Results_read_root(&r));
    return CAPOS_OK;
}

int capos_timer_sleep(uint32_t cap, uint64_t ns)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_Timer_sleep_Params_set_ns(capos_Timer_sleep_Params_init_root(&m.b), ns);
    return capos_client_call(cap, capos_Timer_INTERFACE_ID, capos_Timer_method_sleep, &m, 0, 0, 0);
}

int capos_entropy_fill(uint32_t cap, void *buf, uint32_t len)
{
    uint64_t res[48];
    uint32_t rlen;
    struct capnp_reader r;
    struct capos_msg m;
    capos_msg_init(&m);
    capos_EntropySource_fill_Params_set_len(capos_EntropySource_fill_Params_init_root(&m.b), len);
    int err = capos_client_call(cap, capos_EntropySource_INTERFACE_ID,
                                capos_EntropySource_method_fill, &m, res, sizeof(res), &rlen);
    if (err)
        return err;
    if (!capos_msg_read(&r, res, rlen))
        return CAPOS_ERR_INVALID_ARGUMENT;
    struct capnp_data d =
        capos_EntropySource_fill_Results_get_bytes(capos_EntropySource_fill_Results_read_root(&r));
    if (d.len != len)
        return CAPOS_ERR_INVALID_ARGUMENT;
    memcpy(buf, d.ptr, len);
    return CAPOS_OK;
}

int capos_vm_map(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot, uint64_t *out)
{
    uint64_t res[8];
    uint32_t rlen;
    struct capnp_reader r;
    struct capos_msg m;
    capos_msg_init(&m);
    capos_VirtualMemory_map_Params_builder p = capos_VirtualMemory_map_Params_init_root(&m.b);
    capos_VirtualMemory_map_Params_set_addr(p, addr);
    capos_VirtualMemory_map_Params_set_len(p, len);
    capos_VirtualMemory_map_Params_set_prot(p, prot);
    int err = capos_client_call(cap, capos_VirtualMemory_INTERFACE_ID,
                                capos_VirtualMemory_method_map, &m, res, sizeof(res), &rlen);
    if (err)
        return err;
    if (!capos_msg_read(&r, res, rlen))
        return CAPOS_ERR_INVALID_ARGUMENT;
    *out = capos_VirtualMemory_map_Results_get_addr(capos_VirtualMemory_map_Results_read_root(&r));
    return CAPOS_OK;
}

int capos_vm_unmap(uint32_t cap, uint64_t addr, uint64_t len)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_VirtualMemory_unmap_Params_builder p = capos_VirtualMemory_unmap_Params_init_root(&m.b);
    capos_VirtualMemory_unmap_Params_set_addr(p, addr);
    capos_VirtualMemory_unmap_Params_set_len(p, len);
    return capos_client_call(cap, capos_VirtualMemory_INTERFACE_ID,
                             capos_VirtualMemory_method_unmap, &m, 0, 0, 0);
}

int capos_vm_protect(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot)
{
    struct capos_msg m;
    capos_msg_init(&m);
    capos_VirtualMemory_protect_Params_builder p =
        capos_VirtualMemory_protect_Params_init_root(&m.b);
    capos_VirtualMemory_protect_Params_set_addr(p, addr);
    capos_VirtualMemory_protect_Params_set_len(p, len);
    capos_VirtualMemory_protect_Params_set_prot(p, prot);
    return capos_client_call(cap, capos_VirtualMemory_INTERFACE_ID,
                             capos_VirtualMemory_method_protect, &m, 0, 0, 0);
}

int capos_vm_quota(uint32_t cap, uint64_t *limit, uint64_t *used)
{
    uint64_t res[8];
    uint32_t rlen;
    struct capnp_reader r;
    int err = capos_client_call(cap, capos_VirtualMemory_INTERFACE_ID,
                                capos_VirtualMemory_method_quota, 0, res, sizeof(res), &rlen);
    if (err)
        return err;
    if (!capos_msg_read(&r, res, rlen))
        return CAPOS_ERR_INVALID_ARGUMENT;
    capos_VirtualMemory_quota_Results_reader q = capos_VirtualMemory_quota_Results_read_root(&r);
    *limit = capos_VirtualMemory_quota_Results_get_limit(q);
    *used = capos_VirtualMemory_quota_Results_get_used(q);
    return CAPOS_OK;
}

int capos_boot_size(uint32_t cap, uint64_t *size)
{
    uint64_t res[8];
    uint32_t rlen;
    struct capnp_reader r;
    int err = capos_client_call(cap, capos_BootPackage_INTERFACE_ID, capos_BootPackage_method_size,
                                0, res, sizeof(res), &rlen);
    if (err)
        return err;
    if (!capos_msg_read(&r, res, rlen))
        return CAPOS_ERR_INVALID_ARGUMENT;
    *size = capos_BootPackage_size_Results_get_bytes(capos_BootPackage_size_Results_read_root(&r));
    return CAPOS_OK;
}

/* A read's result is too large for small thread stacks: one buffer, which
 * the process's threads take turns with.  The message adds a few words of
 * framing to the data. */
static uint64_t boot_read_res[(32768 + 64) / 8];
static struct capos_mutex boot_read_lock = CAPOS_MUTEX_INIT;

static int capos_boot_read_locked(uint32_t cap, uint64_t offset, void *buf, uint32_t len,
                                  uint32_t *got)
{
    uint64_t *res = boot_read_res;
    uint32_t rlen;
    struct capnp_reader r;
    struct capos_msg m;
    if (len > 32768)
        len = 32768;
    capos_msg_init(&m);
    capos_BootPackage_read_Params_builder p = capos_BootPackage_read_Params_init_root(&m.b);
    capos_BootPackage_read_Params_set_offset(p, offset);
    capos_BootPackage_read_Params_set_len(p, len);
    int err = capos_client_call(cap, capos_BootPackage_INTERFACE_ID, capos_BootPackage_method_read,
                                &m, res, sizeof(boot_read_res), &rlen);
    if (err)
        return err;
    if (!capos_msg_read(&r, res, rlen))
        return CAPOS_ERR_INVALID_ARGUMENT;
    struct capnp_data d =
        capos_BootPackage_read_Results_get_data(capos_BootPackage_read_Results_read_root(&r));
    if (d.len > len)
        return CAPOS_ERR_INVALID_ARGUMENT;
    memcpy(buf, d.ptr, d.len);
    *got = d.len;
    return CAPOS_OK;
}

int capos_boot_read(uint32_t cap, uint64_t offset, void *buf, uint32_t len, uint32_t *got)
{
    capos_mutex_lock(&boot_read_lock);
    int err = capos_boot_read_locked(cap, offset, buf, len, got);
    capos_mutex_unlock(&boot_read_lock);
    return err;
}

int capos_vm_limit(uint32_t cap, uint64_t bytes, uint32_t *limited)
{
    uint64_t res[16];
    struct capos_cqe cqe;
    const uint8_t *out;
    uint32_t len;
    struct capos_msg m;
    capos_msg_init(&m);
    capos_VirtualMemory_limit_Params_set_bytes(capos_VirtualMemory_limit_Params_init_root(&m.b),
                                               bytes);
    int err = capos_msg_finish(&m, &out, &len);
    if (err)
        return err;
    err = capos_call(cap, capos_VirtualMemory_INTERFACE_ID, capos_VirtualMemory_method_limit, out,
                     len, res, sizeof(res), 0, 0, &cqe);
    if (err)
        return err;
    if (cqe.ncaps != 1)
        return CAPOS_ERR_INVALID_ARGUMENT;
    *limited = ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(cqe.result_len)))[0];
    return CAPOS_OK;
}
