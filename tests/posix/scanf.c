/* sscanf: integers, floats, strings, scan sets, %n, and the return count. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    int a, b, n;
    unsigned u;
    long l;
    double d, e;
    float f;
    char s[32], t[32];
    int r = sscanf("12 -34 0x1f 077 rest", "%d %d %x %o %n", &a, &b, &u, (unsigned *)&l, &n);
    printf("r=%d a=%d b=%d u=%u o=%u n=%d\n", r, a, b, u, (unsigned)l, n);
    r = sscanf("3.25 -1e-3 6.5e2", "%lf %lf %f", &d, &e, &f);
    printf("r=%d d=%g e=%g f=%g\n", r, d, e, f);
    r = sscanf("name=value;other", "%31[^=]=%31[^;]", s, t);
    printf("r=%d s=%s t=%s\n", r, s, t);
    r = sscanf("abc123def", "%[a-z]%d%s", s, &a, t);
    printf("r=%d s=%s a=%d t=%s\n", r, s, a, t);
    r = sscanf("  42", "%i", &a);
    printf("r=%d a=%d\n", r, a);
    r = sscanf("0x10 010 10", "%i %i %i", &a, &b, &n);
    printf("r=%d %d %d %d\n", r, a, b, n);
    r = sscanf("xyz", "%d", &a);
    printf("no match r=%d\n", r);
    r = sscanf("", "%d", &a);
    printf("empty r=%d\n", r);
    r = sscanf("7 8", "%d %*d %d", &a, &b);
    printf("suppressed r=%d a=%d\n", r, a);
    char c;
    r = sscanf("  q", " %c", &c);
    printf("r=%d c=%c\n", r, c);
    r = sscanf("inf nan -INF", "%lf %lf %lf", &d, &e, (double *)s);
    printf("r=%d %f %f\n", r, d, e);
    memset(s, 0, sizeof(s));
    r = sscanf("hello world", "%5c", s);
    printf("r=%d [%s]\n", r, s);
    return 0;
}
