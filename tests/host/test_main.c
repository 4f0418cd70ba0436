/*
 * Runner for the host unit tests: runs every registered TEST in file order,
 * prints "ok"/"FAIL" per test and a final "host: N passed, N failed" line.
 * An optional argument runs only tests whose "file:name" contains it.
 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

static struct test_case *test_head, **test_tail = &test_head;
static int test_current_failed;

void test_register(struct test_case *tc)
{
    *test_tail = tc;
    test_tail = &tc->next;
}

void test_fail(const char *file, int line, const char *expr)
{
    test_failf(file, line, "%s", expr);
}

void test_failf(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "    %s:%d: check failed: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    test_current_failed = 1;
}

static const char *test_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    char full[256];

    for (struct test_case *tc = test_head; tc; tc = tc->next) {
        snprintf(full, sizeof(full), "%s:%s", test_basename(tc->file), tc->name);
        if (filter && !strstr(full, filter))
            continue;
        test_current_failed = 0;
        tc->fn();
        fflush(stdout);
        if (test_current_failed) {
            printf("FAIL %s\n", full);
            failed++;
        } else {
            printf("ok   %s\n", full);
            passed++;
        }
    }
    printf("host: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
