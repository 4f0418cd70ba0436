/* Large allocations (which musl serves from mmap): growth, shrinking,
 * calloc zeroing, and giving memory back and taking it again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    size_t sizes[] = {1 << 17, 1 << 20, 3 << 20, 8 << 20};
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 4; i++) {
            unsigned char *p = malloc(sizes[i]);
            if (!p) {
                printf("malloc %zu failed\n", sizes[i]);
                return 1;
            }
            memset(p, 0xa5, sizes[i]);
            p = realloc(p, sizes[i] * 2);
            if (!p) {
                printf("realloc grow failed\n");
                return 1;
            }
            int ok = p[0] == 0xa5 && p[sizes[i] - 1] == 0xa5;
            p = realloc(p, 1000);
            ok &= p[999] == 0xa5;
            free(p);
            unsigned char *z = calloc(sizes[i], 1);
            size_t nz = 0;
            for (size_t k = 0; k < sizes[i]; k += 4096)
                nz += z[k] != 0;
            free(z);
            printf("round %d size %zu: contents kept %d, calloc nonzero pages %zu\n", round,
                   sizes[i], ok, nz);
        }
    }
    void *many[40];
    for (int i = 0; i < 40; i++) {
        many[i] = malloc(300000);
        if (!many[i]) {
            printf("malloc %d of 40 failed\n", i);
            return 1;
        }
        memset(many[i], i, 300000);
    }
    int ok = 1;
    for (int i = 0; i < 40; i++) {
        ok &= ((unsigned char *)many[i])[299999] == i;
        free(many[i]);
    }
    printf("40 live blocks of 300000 bytes: %s\n", ok ? "ok" : "corrupt");
    return 0;
}
