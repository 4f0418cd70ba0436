/*
 * getrandom over the "entropy" EntropySource (RDSEED or RDRAND), in calls
 * of at most maxEntropyFill bytes.  Without the capability: EPERM.
 */
#include <errno.h>
#include <sys/random.h>

#include "abi/errors.h"
#include "capos.h"
#include "posix.h"

#define FILL_MAX 256                    /* maxEntropyFill */
#define CALL_MAX (32 * 1024 * 1024 - 1) /* what Linux returns at most per call */

long posix_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t done = 0;
    if (!posix_caps.entropy)
        return -EPERM;
    if (len > CALL_MAX)
        len = CALL_MAX;
    while (done < len) {
        uint32_t n = len - done < FILL_MAX ? (uint32_t)(len - done) : FILL_MAX;
        int err = capos_entropy_fill(posix_caps.entropy, p + done, n);
        if (err != CAPOS_OK)
            return done ? (long)done : err == CAPOS_ERR_BAD_ADDRESS ? -EFAULT : -EIO;
        done += n;
    }
    return (long)done;
}

long sys_getrandom(long buf, long len, long flags, long a4, long a5, long a6)
{
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    return posix_random((void *)buf, (size_t)len);
}
