/*
 * testcase.h: the case harness of the test programs (user/tests/,
 * user/fuzz/).  A program defines TESTCASE_PREFIX, the name its lines start
 * with, and includes this header once.  Each case runs between begin(name)
 * and end(); end() prints "<prefix>: <case>: ok" when the case saw no
 * failure, and every fail() prints one "<prefix>: <case>: FAIL: <what>" line
 * (the smokes in tests/qemu/ match these lines).  fail() may be called from
 * any thread of the program: the count is atomic and each line is one
 * Console.write.  ncases and nfailed count the cases run and failed.
 *
 * `timer` is the program's Timer capability, which now_ns() and sleep_ms()
 * use; main looks it up.  result_cap(), spawn_raw_on() and join_raw() are
 * the raw calls of the programs that test the kernel's interfaces below the
 * runtime.  The helpers that do not depend on this harness (describe(),
 * report_cpu(), the leak probes, call_deadline()) are in testlib.h, which
 * this header includes.
 */
#ifndef CAPOS_USER_TESTS_TESTCASE_H
#define CAPOS_USER_TESTS_TESTCASE_H

#include "capos.h"

#include "fmt/fmt.h"

#ifndef TESTCASE_PREFIX
#error "define TESTCASE_PREFIX before including testcase.h"
#endif

#define TESTCASE_MS (1000ULL * 1000)

static uint32_t timer __attribute__((unused));
static const char *case_name;
static unsigned case_failures, ncases, nfailed;

static inline void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fail(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    capos_printf(TESTCASE_PREFIX ": %s: FAIL: %s\n", case_name, line);
    __atomic_fetch_add(&case_failures, 1, __ATOMIC_RELAXED);
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail(__VA_ARGS__);                                                                     \
    } while (0)

/* A call `what` gave the error code `got`; the case wanted `want`. */
static inline void expect(const char *what, int got, int want)
{
    if (got != want)
        fail("%s gave %s, expected %s", what, capos_error_name(got), capos_error_name(want));
}

#include "testlib.h"

static inline void begin(const char *name)
{
    case_name = name;
    case_failures = 0;
    ncases++;
}

static inline void end(void)
{
    if (case_failures)
        nfailed++;
    else
        capos_printf(TESTCASE_PREFIX ": %s: ok\n", case_name);
}

static inline uint64_t now_ns(void)
{
    uint64_t t = 0;
    capos_timer_now(timer, &t);
    return t;
}

static inline void sleep_ms(uint64_t ms)
{
    capos_timer_sleep(timer, ms * TESTCASE_MS);
}

/* ---- raw calls, for the programs that test the kernel's interfaces ---- */

/* The first capability id of a result of len bytes. */
static inline uint32_t result_cap(const uint64_t *res, uint32_t len)
{
    return ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(len)))[0];
}

/* ThreadSpawner.spawn through `sp` with exactly these parameters; *handle
 * (if not NULL) gets the ThreadHandle, else it is released. */
static inline int spawn_raw_on(uint32_t sp, uint64_t entry, uint64_t stack, uint64_t tls,
                               uint64_t arg, uint64_t affinity, uint32_t *handle)
{
    struct capos_msg m;
    uint64_t res[8];
    uint32_t len = 0;
    capos_msg_init(&m);
    capos_ThreadSpawner_spawn_Params_builder p = capos_ThreadSpawner_spawn_Params_init_root(&m.b);
    capos_ThreadSpawner_spawn_Params_set_entry(p, entry);
    capos_ThreadSpawner_spawn_Params_set_stack(p, stack);
    capos_ThreadSpawner_spawn_Params_set_tls(p, tls);
    capos_ThreadSpawner_spawn_Params_set_arg(p, arg);
    capos_ThreadSpawner_spawn_Params_set_affinity(p, affinity);
    int err = capos_client_call(sp, capos_ThreadSpawner_INTERFACE_ID,
                                capos_ThreadSpawner_method_spawn, &m, res, sizeof(res), &len);
    if (err == CAPOS_OK) {
        if (handle)
            *handle = result_cap(res, len);
        else
            capos_release(result_cap(res, len));
    }
    return err;
}

/* ThreadHandle.join on a handle the runtime did not create; *code and
 * *killed (each if not NULL) get the result. */
static inline int join_raw(uint32_t h, int *code, bool *killed)
{
    uint64_t res[8];
    uint32_t len = 0;
    struct capnp_reader r;
    int err = capos_client_call(h, capos_ThreadHandle_INTERFACE_ID, capos_ThreadHandle_method_join,
                                0, res, sizeof(res), &len);
    if (err != CAPOS_OK)
        return err;
    if (!capos_msg_read(&r, res, len))
        return CAPOS_ERR_INVALID_ARGUMENT;
    capos_ThreadHandle_join_Results_reader j = capos_ThreadHandle_join_Results_read_root(&r);
    if (code)
        *code = capos_ThreadHandle_join_Results_get_code(j);
    if (killed)
        *killed = capos_ThreadHandle_join_Results_get_killed(j);
    return CAPOS_OK;
}

#endif
