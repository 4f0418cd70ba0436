/*
 * console_flood: processes that flood the console with maximum-size writes
 * from several threads, next to an innocent process whose lines must come
 * out whole.  One binary, the role in argv[1]:
 *
 *   flood     FLOOD_THREADS threads each send Console.writes of 4096 bytes
 *             (the most one write may carry) for FLOOD_MS: each write is
 *             lines "F <tag> <seq> xxx...x E" of 40 to 256 bytes, newline
 *             included, with writes packed to the limit.  Every third write
 *             is one writeLine of a single 256-byte line instead.
 *   innocent  two threads ("a" and "b") each write INNOCENT_LINES lines
 *             "innocent: <thread> <n> ok <digest>" with short sleeps in
 *             between while the floods run; first, one oversized write (4097
 *             bytes), which must fail with invalidArgument and print nothing.
 *
 * Every line of at most 256 bytes is guaranteed to reach the console whole,
 * so the smoke (tests/qemu/smokes_flood.py) requires every line that starts
 * like a flood or innocent line to be complete, and none to start mid-line.
 * Six flood threads on four CPUs keep every CPU busy writing; the innocent
 * threads still get a CPU because writers pass a preemption point between
 * segments, and the smoke requires innocent lines between flood lines.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define MS             (1000ULL * 1000)
#define FLOOD_THREADS  3
#define FLOOD_MS       2500
#define WRITE_MAX      4096
#define LINE_MAX       256 /* the console's unbreakable line length, newline included */
#define INNOCENT_LINES 20  /* per thread */

static uint32_t console, timer;
static const char *role;
static unsigned failures;

static uint64_t now_ns(void)
{
    uint64_t t = 0;
    capos_timer_now(timer, &t);
    return t;
}

static uint64_t rnd_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Console.write of len bytes built in `arena` (at least len + 64 bytes,
 * 8-aligned): the runtime's own client builds in a 4 KiB arena, too small
 * for the largest write. */
static int write_big(uint64_t *arena, size_t arena_len, const char *data, size_t len)
{
    struct capnp_builder b;
    const uint8_t *out;
    size_t n;
    capnp_builder_init(&b, arena, arena_len);
    capos_Console_write_Params_set_data(capos_Console_write_Params_init_root(&b), data, len);
    if (capnp_builder_finish(&b, &out, &n) != CAPNP_OK)
        return CAPOS_ERR_INVALID_ARGUMENT;
    return capos_call(console, capos_Console_INTERFACE_ID, capos_Console_method_write, out,
                      (uint32_t)n, 0, 0, 0, 0, 0);
}

/* Writes one flood line of exactly `len` bytes (newline included, 24 to
 * LINE_MAX) at buf; returns len. */
static size_t flood_line(char *buf, size_t len, unsigned tag, unsigned seq)
{
    int head = fmt_snprintf(buf, len, "F %u %u ", tag, seq);
    size_t i = (size_t)head;
    while (i < len - 3)
        buf[i++] = 'x';
    buf[i++] = ' ';
    buf[i++] = 'E';
    buf[i++] = '\n';
    return len;
}

struct flood_arg {
    unsigned idx, tag;
    uint64_t seed, until;
    unsigned writes, bytes;
};

static int flood_thread(void *p)
{
    struct flood_arg *a = p;
    static char bufs[FLOOD_THREADS][WRITE_MAX];
    static uint64_t arenas[FLOOD_THREADS][(WRITE_MAX + 64) / 8];
    char *buf = bufs[a->idx];
    unsigned seq = 0;
    while (now_ns() < a->until) {
        int r;
        size_t n = 0;
        if (a->writes % 3 == 2) {
            /* writeLine adds the newline: a 255-byte text is a 256-byte line. */
            flood_line(buf, LINE_MAX, a->tag, seq++);
            buf[LINE_MAX - 1] = '\0';
            r = capos_console_write_line(console, buf);
            n = LINE_MAX;
        } else {
            for (;;) {
                size_t len = 40 + rnd_next(&a->seed) % (LINE_MAX - 40 + 1);
                if (n + len > WRITE_MAX) {
                    len = WRITE_MAX - n;
                    if (len < 40)
                        break;
                }
                n += flood_line(buf + n, len, a->tag, seq++);
            }
            r = write_big(arenas[a->idx], sizeof(arenas[a->idx]), buf, n);
        }
        if (r != CAPOS_OK) {
            capos_printf("console-flood: flood: FAIL: write: %s\n", capos_error_name(r));
            return 1;
        }
        a->writes++;
        a->bytes += (unsigned)n;
    }
    return 0;
}

static int flood(void)
{
    static struct capos_thread *t[FLOOD_THREADS];
    static struct flood_arg args[FLOOD_THREADS];
    uint64_t start = now_ns();
    unsigned created = 0, writes = 0, bytes = 0;
    for (unsigned i = 0; i < FLOOD_THREADS; i++) {
        args[i] = (struct flood_arg){.idx = i,
                                     .tag = (unsigned)(start % 1000) * 10 + i,
                                     .seed = start * 2654435761u + i + 1,
                                     .until = start + FLOOD_MS * MS};
        if (capos_thread_create(&t[i], flood_thread, &args[i], 0) != CAPOS_OK)
            failures++;
        else
            created++;
    }
    for (unsigned i = 0; i < created; i++) {
        int code = -1;
        if (capos_thread_join(t[i], &code, 0) != CAPOS_OK || code != 0)
            failures++;
        writes += args[i].writes;
        bytes += args[i].bytes;
    }
    capos_printf("console-flood: flood: %u threads wrote %u KiB in %u writes%s\n", created,
                 bytes / 1024, writes, failures ? ": FAIL" : "");
    return failures ? 1 : 0;
}

/* ---- innocent ---- */

static int innocent_thread(void *p)
{
    char who = (char)(uintptr_t)p;
    for (unsigned n = 0; n < INNOCENT_LINES; n++) {
        char line[96];
        /* The digest makes a line that lost or gained bytes unlikely to
         * match; the smoke's pattern fixes the rest. */
        fmt_snprintf(line, sizeof(line), "innocent: %c %u ok %08x", who, n,
                     (unsigned)((n + 1) * 2654435761u));
        int r = capos_console_write_line(console, line);
        if (r != CAPOS_OK) {
            capos_printf("console-flood: innocent: FAIL: writeLine: %s\n", capos_error_name(r));
            __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
        }
        capos_timer_sleep(timer, 10 * MS);
    }
    return 0;
}

static int innocent(void)
{
    static char big[WRITE_MAX + 1];
    static uint64_t arena[(WRITE_MAX + 1 + 64 + 7) / 8];
    struct capos_thread *t[2];
    memset(big, 'I', sizeof(big));
    /* Let the floods start first. */
    capos_timer_sleep(timer, 100 * MS);
    int r = write_big(arena, sizeof(arena), big, sizeof(big));
    if (r != CAPOS_ERR_INVALID_ARGUMENT) {
        capos_printf("console-flood: innocent: FAIL: a 4097-byte write gave %s\n",
                     capos_error_name(r));
        failures++;
    }
    for (int i = 0; i < 2; i++)
        if (capos_thread_create(&t[i], innocent_thread, (void *)(uintptr_t)("ab"[i]), 0) !=
            CAPOS_OK)
            failures++;
    for (int i = 0; i < 2; i++)
        capos_thread_join(t[i], 0, 0);
    capos_printf("console-flood: innocent: 2 threads wrote %u lines each%s\n", INNOCENT_LINES,
                 failures ? ": FAIL" : "");
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    role = argc > 1 ? argv[1] : "?";
    if (capos_capset_find("console", capos_Console_INTERFACE_ID, &console) != CAPOS_OK ||
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK)
        return 2;
    if (!strcmp(role, "flood"))
        return flood();
    if (!strcmp(role, "innocent"))
        return innocent();
    capos_printf("console-flood: unknown role \"%s\"\n", role);
    return 2;
}
