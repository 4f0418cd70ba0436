/*
 * Fuzz target of lib/inherit: whatever bytes a parent puts in a child's
 * inheritance list, the parser reads within the string, moves on by at
 * least a byte per record, and what it accepts is in range and is written
 * back by inherit_format to a record that parses to the same values.
 */
#include <stdlib.h>
#include <string.h>

#include "inherit/inherit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint32_t max_fd = 1u + data[0];
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    const char *p = s;
    struct inherit_rec r;
    while (*p) {
        const char *before = p;
        bool ok = inherit_next(&p, max_fd, &r);
        if (p <= before || p > s + strlen(s))
            abort();
        if (!ok)
            continue;
        if (r.fd >= max_fd || r.other >= max_fd)
            abort();
        char buf[96];
        int n = inherit_format(buf, sizeof(buf), &r);
        if (n <= 0)
            abort();
        const char *q = buf;
        struct inherit_rec back;
        if (!inherit_next(&q, max_fd, &back) || *q || back.fd != r.fd || back.kind != r.kind ||
            back.other != r.other ||
            (r.kind != INHERIT_SAME && (back.flags != r.flags || back.pos != r.pos)))
            abort();
    }
    free(s);
    return 0;
}
