/*
 * Echo client: calls the "echo" capability (a badged client facet of the
 * echo server's endpoint) a few times and checks each reply: the same text,
 * and the badge the manifest gave this client.  argv[1] is that badge.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

int main(int argc, char **argv)
{
    uint32_t echo;
    uint64_t want = 0;
    if (capos_capset_find("echo", capos_Echo_INTERFACE_ID, &echo) != CAPOS_OK)
        return 1;
    for (const char *p = argc > 1 ? argv[1] : ""; *p >= '0' && *p <= '9'; p++)
        want = want * 10 + (uint64_t)(*p - '0');
    for (int i = 0; i < 3; i++) {
        struct capos_msg m;
        uint64_t res[128];
        char text[64];
        const uint8_t *out;
        uint32_t len;
        struct capos_cqe cqe;
        struct capnp_reader r;
        fmt_snprintf(text, sizeof(text), "%s says hello #%d", argv[0], i);
        capos_msg_init(&m);
        capos_Echo_echo_Params_set_text(capos_Echo_echo_Params_init_root(&m.b), text, strlen(text));
        capos_msg_finish(&m, &out, &len);
        int err = capos_call(echo, capos_Echo_INTERFACE_ID, capos_Echo_method_echo, out, len, res,
                             sizeof(res), 0, 0, &cqe);
        if (err != CAPOS_OK || !capos_msg_read(&r, res, cqe.result_len)) {
            capos_printf("%s: call failed: %s\n", argv[0], capos_error_name(err));
            return 2;
        }
        capos_Echo_echo_Results_reader rr = capos_Echo_echo_Results_read_root(&r);
        struct capnp_text t = capos_Echo_echo_Results_get_text(rr);
        uint64_t badge = capos_Echo_echo_Results_get_badge(rr);
        if (t.len != strlen(text) || memcmp(t.str, text, t.len) != 0 || badge != want) {
            capos_printf("%s: wrong reply (badge %lu, want %lu)\n", argv[0], (unsigned long)badge,
                         (unsigned long)want);
            return 3;
        }
        capos_printf("%s: echo replied \"%.*s\" to badge %lu\n", argv[0], (int)t.len, t.str,
                     (unsigned long)badge);
    }
    return 0;
}
