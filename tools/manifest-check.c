/*
 * manifest-check: the boot manifest validator (lib/manifest) on the host.
 *
 *   manifest-check [--summary] SOURCE MODULE
 *
 * MODULE is the binary message `capnp eval -b` compiled from SOURCE (the
 * .capnp file, named only in messages).  It is validated with exactly the
 * limits the kernel uses at boot (manifest_boot_limits), so a manifest the
 * build accepts is one the kernel accepts.  On failure it prints one line,
 *   SOURCE: error: service "echo": binary "ech" does not exist
 * on stderr and exits 1; with --summary it prints the system's name and
 * counts on success.  Exit status 2 is a usage or I/O error.
 *
 * A rootTree (the file service's boot tree) is checked too, with the
 * file service's default limits (lib/fs/image.h), so that a broken tree
 * stops the build rather than the service.
 *
 * The module is read whole into memory (it is at most a few MiB: the
 * binaries it embeds), once; the validator reads nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/image.h"
#include "manifest/manifest.h"

/* Far above any real system (the kernel's heap would not hold it). */
#define MODULE_MAX (256u << 20)

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1u << 16;
            unsigned char *nb = ncap <= MODULE_MAX ? realloc(buf, ncap) : NULL;
            if (!nb) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    int summary = argc > 1 && strcmp(argv[1], "--summary") == 0;
    if (argc != 3 + summary) {
        fprintf(stderr, "usage: %s [--summary] SOURCE.capnp MODULE.bin\n", argv[0]);
        return 2;
    }
    const char *source = argv[1 + summary], *module = argv[2 + summary];
    size_t len = 0;
    unsigned char *buf = read_file(module, &len);
    if (!buf) {
        fprintf(stderr, "%s: error: cannot read %s: %s\n", source, module, strerror(errno));
        return 2;
    }
    struct manifest_limits lim = manifest_boot_limits();
    struct manifest_summary sum;
    char why[256];
    if (manifest_validate(buf, len, &lim, &sum, why, sizeof(why)) != MANIFEST_OK) {
        fprintf(stderr, "%s: error: %s\n", source, why);
        free(buf);
        return 1;
    }
    struct manifest m;
    if (manifest_open(&m, buf, len) != MANIFEST_OK) {
        fprintf(stderr, "%s: error: a validated manifest failed to open\n", source);
        free(buf);
        return 1;
    }
    struct capnp_data tree = capos_SystemManifest_get_rootTree(m.root);
    struct fs_image_limits tlim = fs_image_default_limits();
    enum fs_image_err te;
    if (tree.len &&
        (te = fs_image_check(tree.ptr, tree.len, &tlim, NULL, why, sizeof(why))) != FS_IMAGE_OK) {
        fprintf(stderr, "%s: error: rootTree: %s: %s\n", source, fs_image_strerror(te), why);
        free(buf);
        return 1;
    }
    if (summary) {
        printf("%s: \"%s\": %u binaries, %u services, %u grants, %u endpoints\n", source,
               capos_SystemManifest_get_name(m.root).str, sum.binaries, sum.services, sum.grants,
               sum.endpoints);
    }
    free(buf);
    return 0;
}
