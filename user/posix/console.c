/*
 * Descriptors on a Console capability: fds 1 and 2 write to the Console
 * granted as "stdout" and "stderr" (or both to "console"), byte for byte,
 * in Console.write calls of at most maxConsoleWrite bytes.  The console is
 * not a terminal (isatty() is 0), so stdio buffers it as Linux buffers a
 * pipe; reading fd 0 gives end of file until the terminal takes its place.
 */
#include <errno.h>

#include "abi/errors.h"
#include "capos.rpc.h"
#include "fd.h"
#include "posix.h"

#define CHUNK 4096 /* maxConsoleWrite */

static int console_put(uint32_t cap, const void *p, size_t n)
{
    capos_Console_write_args a = {.data = {p, (uint32_t)n}};
    return capos_Console_write_call(cap, &a, 0, 0);
}

long console_write(struct ofd *o, const struct iovec *iov, int iovcnt)
{
    /* Gathers small pieces into one call; large ones go out in place. */
    char buf[512];
    size_t used = 0, total = 0;
    for (int i = 0; i < iovcnt; i++) {
        const char *p = iov[i].iov_base;
        size_t n = iov[i].iov_len;
        while (n) {
            int err = CAPOS_OK;
            size_t k;
            if (used == 0 && n >= sizeof(buf)) {
                k = n < CHUNK ? n : CHUNK;
                err = console_put(o->cap, p, k);
            } else {
                k = n < sizeof(buf) - used ? n : sizeof(buf) - used;
                __builtin_memcpy(buf + used, p, k);
                used += k;
                if (used == sizeof(buf)) {
                    err = console_put(o->cap, buf, used);
                    used = 0;
                }
            }
            if (err != CAPOS_OK)
                return total ? (long)total : posix_errno(err);
            p += k;
            n -= k;
            total += k;
        }
    }
    if (used) {
        int err = console_put(o->cap, buf, used);
        if (err != CAPOS_OK)
            return total - used ? (long)(total - used) : posix_errno(err);
    }
    return (long)total;
}
