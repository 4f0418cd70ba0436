/* The string and memory functions of <string.h>. */
#define _GNU_SOURCE /* memrchr */
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void show(const char *what, const char *p, const char *base)
{
    if (p)
        printf("%s: offset %ld\n", what, (long)(p - base));
    else
        printf("%s: NULL\n", what);
}

int main(void)
{
    char buf[64];
    const char *s = "the quick brown fox jumps over the lazy dog";
    printf("strlen %zu strnlen %zu\n", strlen(s), strnlen(s, 10));
    strcpy(buf, "abc");
    strcat(buf, "def");
    const char *volatile more = "ghijkl"; /* hidden from the truncation warning */
    strncat(buf, more, 3);
    printf("%s\n", buf);
    memset(buf, 0, sizeof(buf));
    strncpy(buf, "xy", 5);
    printf("strncpy %d %d %d\n", buf[0], buf[2], buf[4]);
    printf("cmp %d %d %d\n", strcmp("a", "b") < 0, strcmp("b", "a") > 0, strcmp("x", "x"));
    printf("ncmp %d casecmp %d ncasecmp %d\n", strncmp("abcd", "abcz", 3),
           strcasecmp("HeLLo", "hello"), strncasecmp("ABx", "aby", 2));
    show("strchr o", strchr(s, 'o'), s);
    show("strrchr o", strrchr(s, 'o'), s);
    show("strchr nul", strchr(s, 0), s);
    show("strstr fox", strstr(s, "fox"), s);
    show("strstr cat", strstr(s, "cat"), s);
    show("strpbrk", strpbrk(s, "xyz"), s);
    show("memchr", memchr(s, 'z', strlen(s)), s);
    show("memrchr", memrchr(s, 'e', strlen(s)), s);
    printf("spn %zu cspn %zu\n", strspn(s, "the "), strcspn(s, "qz"));
    char tok[] = "a,b;;c,,d";
    for (char *t = strtok(tok, ",;"); t; t = strtok(NULL, ",;"))
        printf("tok %s\n", t);
    char tok2[] = "k1=v1&k2=v2";
    char *save;
    for (char *t = strtok_r(tok2, "&", &save); t; t = strtok_r(NULL, "&", &save))
        printf("tok_r %s\n", t);
    char ov[] = "0123456789";
    memmove(ov + 2, ov, 5);
    printf("memmove fwd %s\n", ov);
    memmove(ov, ov + 3, 5);
    printf("memmove back %s\n", ov);
    printf("memcmp %d %d\n", memcmp("abc", "abd", 3) < 0, memcmp("abc", "abc", 3));
    char *d = strdup("duplicate");
    char *nd = strndup("duplicate", 3);
    printf("%s %s\n", d, nd);
    printf("strsep:");
    char sep[] = "one two  three";
    char *p = sep, *w;
    while ((w = strsep(&p, " ")))
        printf(" [%s]", w);
    printf("\n");
    return 0;
}
