/*
 * Helpers for the capnp host tests (see test_capnp_util.h).  They shell out
 * to the capnp tool, which `make test` guarantees is installed (bootstrap).
 */
#include "test_capnp_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *build_dir(void)
{
    const char *b = getenv("CAPOS_BUILD");
    return b && *b ? b : "build";
}

uint8_t *capnp_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = aligned_alloc(8, cap);
    for (;;) {
        if (n == cap) {
            uint8_t *nb = aligned_alloc(8, cap * 2);
            memcpy(nb, buf, n);
            free(buf);
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

uint8_t *capnp_test_fixture(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/capnp/fixtures/%s", build_dir(), name);
    uint8_t *p = capnp_test_read_file(path, len);
    if (!p)
        fprintf(stdout, "    missing fixture %s (run make capnp-fixtures)\n", path);
    return p;
}

char *capnp_test_fixture_text(const char *name)
{
    size_t len;
    uint8_t *p = capnp_test_fixture(name, &len);
    if (!p)
        return NULL;
    char *s = malloc(len + 1);
    memcpy(s, p, len);
    s[len] = 0;
    free(p);
    return s;
}

char *capnp_test_decode(const char *schema, const char *type, const void *msg, size_t len)
{
    char tmpl[512], cmd[1024];
    snprintf(tmpl, sizeof(tmpl), "%s/capnp/decode-XXXXXX", build_dir());
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return NULL;
    if (write(fd, msg, len) != (ssize_t)len) {
        close(fd);
        unlink(tmpl);
        return NULL;
    }
    close(fd);
    snprintf(cmd, sizeof(cmd), "capnp convert binary:text %s %s < %s 2>/dev/null", schema, type,
             tmpl);
    FILE *p = popen(cmd, "r");
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    if (p) {
        size_t got;
        while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
            n += got;
            if (n + 1 == cap)
                out = realloc(out, cap *= 2);
        }
    }
    out[n] = 0;
    int rc = p ? pclose(p) : -1;
    unlink(tmpl);
    if (rc != 0) {
        free(out);
        return NULL;
    }
    return out;
}
