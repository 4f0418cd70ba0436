/* qsort and bsearch over integers, strings and structures (keys unique, so
 * the order does not depend on the sort's stability). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rec {
    int key;
    char name[8];
};

static int cmp_rec(const void *a, const void *b)
{
    return cmp_int(&((const struct rec *)a)->key, &((const struct rec *)b)->key);
}

int main(void)
{
    enum { N = 5000 };
    static int v[N];
    unsigned x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        v[i] = (int)(x >> 4) % 1000000 - 500000;
    }
    qsort(v, N, sizeof(v[0]), cmp_int);
    int sorted = 1;
    long sum = 0;
    for (int i = 1; i < N; i++)
        sorted &= v[i - 1] <= v[i];
    for (int i = 0; i < N; i++)
        sum += v[i];
    printf("sorted %d first %d last %d sum %ld\n", sorted, v[0], v[N - 1], sum);
    int key = v[1234];
    int *hit = bsearch(&key, v, N, sizeof(v[0]), cmp_int);
    printf("bsearch found %d\n", hit && *hit == key);
    key = 600000;
    printf("bsearch missing %d\n", bsearch(&key, v, N, sizeof(v[0]), cmp_int) == NULL);
    const char *words[] = {"pear",   "apple", "fig",        "banana",
                           "cherry", "date",  "elderberry", "grape"};
    qsort(words, 8, sizeof(words[0]), cmp_str);
    for (int i = 0; i < 8; i++)
        printf("%s ", words[i]);
    printf("\n");
    struct rec r[6] = {{5, "e"}, {1, "a"}, {4, "d"}, {2, "b"}, {6, "f"}, {3, "c"}};
    qsort(r, 6, sizeof(r[0]), cmp_rec);
    for (int i = 0; i < 6; i++)
        printf("%d:%s ", r[i].key, r[i].name);
    printf("\n");
    qsort(v, 0, sizeof(v[0]), cmp_int);
    qsort(v, 1, sizeof(v[0]), cmp_int);
    printf("empty and single ok\n");
    return 0;
}
