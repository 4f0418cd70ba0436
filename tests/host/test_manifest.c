/*
 * Host tests of lib/manifest against manifests compiled by the capnp tool
 * (the tests/manifest fixtures, built into $CAPOS_BUILD/manifest by
 * tests/manifest/manifest.mk), plus raw byte strings that no compiler would
 * produce and large manifests made with our own builder.
 *
 * Every refused fixture is checked for its error code and its exact one-line
 * message, and every bad_*.capnp file must be listed here (a fixture nobody
 * asserts on would prove nothing).  Every message the validator produces in
 * these tests is also checked to be one line of printable ASCII.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "elf/elf.h"
#include "manifest/manifest.h"

/* ---- Fixtures ---- */

static uint8_t *mt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        /* At least one byte, so that an empty file still gets a buffer. */
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

/* $CAPOS_BUILD/manifest/<name> (the build directory defaults to "build"). */
static uint8_t *mt_fixture(const char *name, size_t *len)
{
    const char *b = getenv("CAPOS_BUILD");
    char path[512];
    snprintf(path, sizeof(path), "%s/manifest/%s", b && *b ? b : "build", name);
    uint8_t *buf = mt_read_file(path, len);
    if (!buf)
        printf("    cannot read fixture %s (run make manifest-fixtures)\n", path);
    return buf;
}

/* One line of printable ASCII: what every message must be. */
static int mt_printable_line(const char *s)
{
    for (; *s; s++) {
        if (*s < 0x20 || *s > 0x7e)
            return 0;
    }
    return 1;
}

static enum manifest_err mt_validate(const uint8_t *buf, size_t len,
                                     const struct manifest_limits *lim, char *why, size_t why_len)
{
    struct manifest_summary sum;
    return manifest_validate(buf, len, lim, &sum, why, why_len);
}

/* Validates fixture `name` (no ".bin") and expects `err` with exactly `msg`. */
static void mt_expect(const char *name, const struct manifest_limits *lim, enum manifest_err err,
                      const char *msg)
{
    char file[128], why[512];
    size_t len;

    snprintf(file, sizeof(file), "%s.bin", name);
    uint8_t *buf = mt_fixture(file, &len);
    CHECK(buf != NULL);
    memset(why, 'X', sizeof(why));
    enum manifest_err e = mt_validate(buf, len, lim, why, sizeof(why));
    free(buf);
    CHECK_STR(why, msg);
    CHECK_EQ(e, err);
    CHECK(mt_printable_line(why));
}

/* ---- Valid manifests ---- */

TEST(manifest_valid_full)
{
    struct manifest_summary sum;
    char why[256] = "stale";
    size_t len;
    uint8_t *buf = mt_fixture("valid_full.bin", &len);
    CHECK(buf != NULL);
    enum manifest_err e = manifest_validate(buf, len, NULL, &sum, why, sizeof(why));
    free(buf);
    CHECK_STR(why, "");
    CHECK_EQ(e, MANIFEST_OK);
    CHECK_EQ(sum.binaries, 4);
    CHECK_EQ(sum.services, 4);
    CHECK_EQ(sum.grants, 6 + 3 + 5);
    CHECK_EQ(sum.exports, 3);
    CHECK_EQ(sum.endpoints, 2);
    CHECK(sum.elf_bytes > 4 * 64);
}

/* The same message re-encoded in many small segments (far pointers everywhere). */
TEST(manifest_valid_full_far_pointers)
{
    struct manifest_summary sum;
    char why[256];
    size_t len;
    uint8_t *buf = mt_fixture("valid_full.far.bin", &len);
    CHECK(buf != NULL);
    /* More than one segment: the segment count word is not 0. */
    CHECK(len > 8 && (buf[0] | buf[1] | buf[2] | buf[3]) != 0);
    enum manifest_err e = manifest_validate(buf, len, NULL, &sum, why, sizeof(why));
    free(buf);
    CHECK_STR(why, "");
    CHECK_EQ(e, MANIFEST_OK);
    CHECK_EQ(sum.binaries, 4);
    CHECK_EQ(sum.services, 4);
    CHECK_EQ(sum.grants, 14);
    CHECK_EQ(sum.exports, 3);
    CHECK_EQ(sum.endpoints, 2);
}

TEST(manifest_valid_minimal)
{
    struct manifest_summary sum;
    char why[64];
    size_t len;
    uint8_t *buf = mt_fixture("valid_minimal.bin", &len);
    CHECK(buf != NULL);
    enum manifest_err e = manifest_validate(buf, len, NULL, &sum, why, sizeof(why));
    free(buf);
    CHECK_STR(why, "");
    CHECK_EQ(e, MANIFEST_OK);
    CHECK_EQ(sum.binaries, 1);
    CHECK_EQ(sum.services + sum.grants + sum.exports + sum.endpoints, 0);
}

TEST(manifest_valid_limits)
{
    mt_expect("valid_limits", NULL, MANIFEST_OK, "");
}

/* future.capnp keeps our wire layout: its known parts validate. */
TEST(manifest_valid_future)
{
    mt_expect("valid_future", NULL, MANIFEST_OK, "");
}

/* A summary pointer and a reason buffer are both optional. */
TEST(manifest_valid_without_outputs)
{
    size_t len;
    uint8_t *buf = mt_fixture("valid_full.bin", &len);
    CHECK(buf != NULL);
    enum manifest_err e = manifest_validate(buf, len, NULL, NULL, NULL, 0);
    free(buf);
    CHECK_EQ(e, MANIFEST_OK);
}

/* ---- Queries ---- */

static void mt_queries(const char *fixture)
{
    struct manifest m;
    size_t len, elf_len, tiny_len;
    const uint8_t *elf;
    uint32_t idx, order[8], n;
    static const char *const names[] = {"init", "logger", "echo", "shell"};

    uint8_t *buf = mt_fixture(fixture, &len);
    uint8_t *tiny = mt_fixture("tiny.elf", &tiny_len);
    CHECK(buf != NULL && tiny != NULL);
    CHECK_EQ(manifest_open(&m, buf, len), MANIFEST_OK);

    for (size_t i = 0; i < 4; i++) {
        CHECK(manifest_find_binary(&m, names[i], strlen(names[i]), &elf, &elf_len));
        CHECK_EQ(elf_len, tiny_len);
        CHECK(memcmp(elf, tiny, tiny_len) == 0);
        CHECK(elf >= buf && elf + elf_len <= buf + len);
    }
    CHECK(!manifest_find_binary(&m, "ini", 3, &elf, &elf_len));
    CHECK(!manifest_find_binary(&m, "initx", 5, &elf, &elf_len));
    CHECK(!manifest_find_binary(&m, "", 0, &elf, &elf_len));
    /* The name is (pointer, length): no NUL is needed or looked for. */
    CHECK(manifest_find_binary(&m, "echoXXX", 4, &elf, &elf_len));

    CHECK(manifest_find_service(&m, "shell", 5, &idx));
    CHECK_EQ(idx, 0);
    CHECK(manifest_find_service(&m, "idle", 4, &idx));
    CHECK_EQ(idx, 3);
    CHECK(!manifest_find_service(&m, "init", 4, &idx));

    /* shell imports echo and logger, echo imports logger; idle is free. */
    CHECK_EQ(manifest_start_order(&m, order, 8, &n), MANIFEST_OK);
    CHECK_EQ(n, 4);
    CHECK_EQ(order[0], 2);
    CHECK_EQ(order[1], 1);
    CHECK_EQ(order[2], 0);
    CHECK_EQ(order[3], 3);
    CHECK_EQ(manifest_start_order(&m, order, 3, &n), MANIFEST_ERR_ARG);
    CHECK_EQ(n, 0);

    /* Handles taken from root stay usable across queries. */
    capos_SystemManifest_reader root = m.root;
    CHECK(manifest_find_service(&m, "echo", 4, &idx));
    struct capnp_text t = capos_SystemManifest_get_init(root);
    CHECK(t.len == 4 && memcmp(t.str, "init", 4) == 0);
    CHECK_EQ(capnp_reader_error(&m.rd), CAPNP_OK);
    free(buf);
    free(tiny);
}

TEST(manifest_queries)
{
    mt_queries("valid_full.bin");
}

TEST(manifest_queries_far_pointers)
{
    mt_queries("valid_full.far.bin");
}

/* Many queries never exhaust the reader: each starts from a fresh budget. */
TEST(manifest_queries_repeat)
{
    struct manifest m;
    size_t len, elf_len;
    const uint8_t *elf;
    uint32_t order[4], n;
    uint8_t *buf = mt_fixture("valid_full.bin", &len);
    CHECK(buf != NULL);
    CHECK_EQ(manifest_open(&m, buf, len), MANIFEST_OK);
    for (int i = 0; i < 20000; i++) {
        CHECK(manifest_find_binary(&m, "shell", 5, &elf, &elf_len));
        CHECK_EQ(manifest_start_order(&m, order, 4, &n), MANIFEST_OK);
    }
    free(buf);
}

TEST(manifest_start_order_refuses_cycle)
{
    struct manifest m;
    uint32_t order[4], n = 99;
    size_t len;
    uint8_t *buf = mt_fixture("bad_cycle.bin", &len);
    CHECK(buf != NULL);
    CHECK_EQ(manifest_open(&m, buf, len), MANIFEST_OK);
    CHECK_EQ(manifest_start_order(&m, order, 4, &n), MANIFEST_ERR_CYCLE);
    CHECK_EQ(n, 0);
    free(buf);
}

TEST(manifest_open_refuses_garbage)
{
    struct manifest m;
    uint32_t order[1], n, idx;
    const uint8_t *elf;
    size_t elf_len;
    static const uint8_t junk[16] = {0xff, 0xff, 0xff, 0xff, 1, 2, 3};
    CHECK_EQ(manifest_open(&m, junk, sizeof(junk)), MANIFEST_ERR_MALFORMED);
    CHECK(!manifest_find_binary(&m, "init", 4, &elf, &elf_len));
    CHECK(!manifest_find_service(&m, "init", 4, &idx));
    CHECK_EQ(manifest_start_order(&m, order, 1, &n), MANIFEST_ERR_MALFORMED);
    CHECK_EQ(manifest_open(NULL, junk, sizeof(junk)), MANIFEST_ERR_ARG);
}

/* ---- Refused fixtures: one per rule ---- */

#define MT_BAD_FIXTURES(X)                                                                         \
    X(bad_version, MANIFEST_ERR_VERSION, "formatVersion is 2, expected 1")                         \
    X(bad_version_missing, MANIFEST_ERR_VERSION, "formatVersion is 0, expected 1")                 \
    X(bad_name_empty, MANIFEST_ERR_NAME, "binary #1: name is empty")                               \
    X(bad_name_long, MANIFEST_ERR_NAME,                                                            \
      "service #0: name \"service-name-that-is-32-bytes-xx\" is 32 bytes (limit 31)")              \
    X(bad_name_space, MANIFEST_ERR_NAME,                                                           \
      "service \"s\": grant #0: name \"my console\" contains a space at offset 2")                 \
    X(bad_name_slash, MANIFEST_ERR_NAME,                                                           \
      "service \"s\": export #0: name \"a/b\" contains '/' at offset 1")                           \
    X(bad_name_control, MANIFEST_ERR_NAME,                                                         \
      "endpoint #0: name \"bus\\x09\" contains byte 0x09 at offset 3")                             \
    X(bad_name_utf8, MANIFEST_ERR_NAME,                                                            \
      "binary #1: name \"caf\\xc3\\xa9\" contains byte 0xc3 at offset 3")                          \
    X(bad_dup_binary, MANIFEST_ERR_DUPLICATE, "binary \"init\" is defined twice (#0 and #2)")      \
    X(bad_init_not_init, MANIFEST_ERR_NOT_INIT,                                                    \
      "init \"hello\" is not an init program (its ELF has no capOS init note)")                    \
    X(bad_dup_service, MANIFEST_ERR_DUPLICATE, "service \"s\" is defined twice (#0 and #1)")       \
    X(bad_dup_endpoint, MANIFEST_ERR_DUPLICATE, "endpoint \"bus\" is listed twice (#0 and #1)")    \
    X(bad_dup_grant, MANIFEST_ERR_DUPLICATE,                                                       \
      "service \"s\": grant \"console\" is defined twice (#0 and #1)")                             \
    X(bad_dup_export, MANIFEST_ERR_DUPLICATE,                                                      \
      "service \"s\": export \"out\" is defined twice (#0 and #1)")                                \
    X(bad_grant_export_clash, MANIFEST_ERR_DUPLICATE,                                              \
      "service \"s\": name \"out\" is both grant #0 and export #0")                                \
    X(bad_elf_empty, MANIFEST_ERR_ELF, "binary \"init\": elf is empty")                            \
    X(bad_init_missing, MANIFEST_ERR_NOT_FOUND, "init \"nope\" is not a binary")                   \
    X(bad_service_binary, MANIFEST_ERR_NOT_FOUND, "service \"s\": binary \"nope\" does not exist") \
    X(bad_grant_no_source, MANIFEST_ERR_GRANT, "service \"s\": grant \"g\": source is not set")    \
    X(bad_future_source, MANIFEST_ERR_GRANT,                                                       \
      "service \"s\": grant \"shm\": unknown source (union tag 3)")                                \
    X(bad_future_kind, MANIFEST_ERR_GRANT,                                                         \
      "service \"s\": grant \"irq\": unknown kernel capability kind 11")                           \
    X(bad_memlimit_kind, MANIFEST_ERR_GRANT,                                                       \
      "service \"s\": grant \"console\": memoryLimit is only valid for kind virtualMemory")        \
    X(bad_memlimit_ceiling, MANIFEST_ERR_GRANT,                                                    \
      "service \"s\": grant \"mem\": memoryLimit 2147483648 exceeds the ceiling 1073741824")       \
    X(bad_memlimit_align, MANIFEST_ERR_GRANT,                                                      \
      "service \"s\": grant \"mem\": memoryLimit 4097 is not a multiple of 4096")                  \
    X(bad_writeonly_kind, MANIFEST_ERR_GRANT,                                                      \
      "service \"s\": grant \"timer\": writeOnly is only valid for kind console")                  \
    X(bad_future_port, MANIFEST_ERR_GRANT, "service \"s\": grant \"out\": unknown console port 3") \
    X(bad_port_kind, MANIFEST_ERR_GRANT,                                                           \
      "service \"s\": grant \"timer\": port is only valid for kind console")                       \
    X(bad_allowed_kind, MANIFEST_ERR_GRANT,                                                        \
      "service \"s\": grant \"console\": allowedBinaries is only valid for kind processSpawner")   \
    X(bad_allowed_missing, MANIFEST_ERR_NOT_FOUND,                                                 \
      "service \"s\": grant \"spawn\": allowedBinaries #1 \"nope\" is not a binary")               \
    X(bad_allowed_dup, MANIFEST_ERR_DUPLICATE,                                                     \
      "service \"s\": grant \"spawn\": allowedBinaries lists \"init\" twice")                      \
    X(bad_export_service, MANIFEST_ERR_NOT_FOUND,                                                  \
      "service \"echo\": grant \"log\": service \"logger2\" does not exist")                       \
    X(bad_export_missing, MANIFEST_ERR_NOT_FOUND,                                                  \
      "service \"echo\": grant \"log\": export \"out\" of service \"logger\" does not exist")      \
    X(bad_export_self, MANIFEST_ERR_GRANT,                                                         \
      "service \"s\": grant \"me\": imports export \"out\" of its own service")                    \
    X(bad_endpoint_missing, MANIFEST_ERR_NOT_FOUND,                                                \
      "service \"s\": grant \"bus\": endpoint \"nope\" is not in the endpoints list")              \
    X(bad_future_role, MANIFEST_ERR_GRANT,                                                         \
      "service \"s\": grant \"bus\": unknown endpoint role 2")                                     \
    X(bad_server_badge, MANIFEST_ERR_GRANT,                                                        \
      "service \"s\": grant \"bus\": server role with badge 5 (only client grants carry a badge)") \
    X(bad_future_restart, MANIFEST_ERR_RESTART, "service \"s\": restart: unknown mode 3")          \
    X(bad_restart_max, MANIFEST_ERR_RESTART,                                                       \
      "service \"s\": restart: maxRestarts 1001 exceeds the ceiling 1000")                         \
    X(bad_restart_backoff, MANIFEST_ERR_RESTART,                                                   \
      "service \"s\": restart: backoffMs 60001 exceeds the ceiling 60000")                         \
    X(bad_restart_never_max, MANIFEST_ERR_RESTART,                                                 \
      "service \"s\": restart: mode never with maxRestarts 3")                                     \
    X(bad_restart_never_backoff, MANIFEST_ERR_RESTART,                                             \
      "service \"s\": restart: mode never with backoffMs 100")                                     \
    X(bad_argv_nul, MANIFEST_ERR_ARGS, "service \"s\": argv #1 contains a NUL byte at offset 1")   \
    X(bad_env_noeq, MANIFEST_ERR_ARGS, "service \"s\": env #1 \"PATH\" has no '='")                \
    X(bad_env_emptykey, MANIFEST_ERR_ARGS, "service \"s\": env #0 \"=x\" has an empty key")        \
    X(bad_cycle, MANIFEST_ERR_CYCLE, "dependency cycle: a -> b -> c -> a")                         \
    X(bad_cycle_tail, MANIFEST_ERR_CYCLE, "dependency cycle: a -> b -> a")

#define MT_BAD_TEST(id, err, msg)                                                                  \
    TEST(manifest_##id)                                                                            \
    {                                                                                              \
        mt_expect(#id, NULL, err, msg);                                                            \
    }
MT_BAD_FIXTURES(MT_BAD_TEST)

/* The ELF reasons come from lib/elf, so the expected text is built from it. */
TEST(manifest_bad_elf_execstack)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "binary \"bad\": bad ELF: %s (program header 1)",
             elf_strerror(ELF_ERR_EXEC_STACK));
    mt_expect("bad_elf_execstack", NULL, MANIFEST_ERR_ELF, msg);
}

TEST(manifest_bad_elf_truncated)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "binary \"init\": bad ELF: %s", elf_strerror(ELF_ERR_TRUNCATED));
    mt_expect("bad_elf_truncated", NULL, MANIFEST_ERR_ELF, msg);
}

#define MT_BAD_NAME(id, err, msg) #id,
static const char *const mt_bad_names[] = {MT_BAD_FIXTURES(MT_BAD_NAME) "bad_elf_execstack",
                                           "bad_elf_truncated"};

/* A refused fixture that no test asserts on would prove nothing. */
TEST(manifest_every_bad_fixture_is_asserted)
{
    DIR *d = opendir("tests/manifest");
    struct dirent *ent;
    int seen = 0;
    CHECK(d != NULL);
    while ((ent = readdir(d)) != NULL) {
        size_t n = strlen(ent->d_name);
        int found = 0;
        if (strncmp(ent->d_name, "bad_", 4) != 0 || n < 7 ||
            strcmp(ent->d_name + n - 6, ".capnp") != 0)
            continue;
        for (size_t i = 0; i < sizeof(mt_bad_names) / sizeof(mt_bad_names[0]); i++) {
            if (strlen(mt_bad_names[i]) == n - 6 &&
                strncmp(ent->d_name, mt_bad_names[i], n - 6) == 0)
                found = 1;
        }
        if (!found)
            printf("    %s has no expectation in test_manifest.c\n", ent->d_name);
        seen += found;
        if (!found)
            break;
    }
    closedir(d);
    CHECK_EQ(seen, (int)(sizeof(mt_bad_names) / sizeof(mt_bad_names[0])));
}

/* ---- Limits ---- */

/* valid_full against limits just below what it uses. */
TEST(manifest_limits_counts)
{
    struct manifest_limits l;
#define MT_LIMIT(field, value, err, msg)                                                           \
    do {                                                                                           \
        l = manifest_default_limits();                                                             \
        l.field = value;                                                                           \
        mt_expect("valid_full", &l, err, msg);                                                     \
    } while (0)
    MT_LIMIT(max_binaries, 3, MANIFEST_ERR_TOO_MANY, "too many binaries: 4 (limit 3)");
    MT_LIMIT(max_services, 3, MANIFEST_ERR_TOO_MANY, "too many services: 4 (limit 3)");
    MT_LIMIT(max_endpoints, 1, MANIFEST_ERR_TOO_MANY, "too many endpoints: 2 (limit 1)");
    MT_LIMIT(max_grants, 5, MANIFEST_ERR_TOO_MANY,
             "service \"shell\": too many grants: 6 (limit 5)");
    MT_LIMIT(max_exports, 1, MANIFEST_ERR_TOO_MANY,
             "service \"logger\": too many exports: 2 (limit 1)");
    MT_LIMIT(max_argv, 1, MANIFEST_ERR_TOO_MANY,
             "service \"shell\": too many argv entries: 2 (limit 1)");
    MT_LIMIT(max_env, 2, MANIFEST_ERR_TOO_MANY,
             "service \"shell\": too many env entries: 3 (limit 2)");
    MT_LIMIT(max_arg_len, 4, MANIFEST_ERR_ARGS, "service \"shell\": argv #0 is 5 bytes (limit 4)");
    MT_LIMIT(max_name_len, 4, MANIFEST_ERR_NAME, "binary #1: name \"logger\" is 6 bytes (limit 4)");
    MT_LIMIT(max_memory_limit, 8u << 20, MANIFEST_ERR_GRANT,
             "service \"shell\": grant \"mem\": memoryLimit 16777216 exceeds the ceiling 8388608");
    MT_LIMIT(max_restarts, 4, MANIFEST_ERR_RESTART,
             "service \"shell\": restart: maxRestarts 5 exceeds the ceiling 4");
    MT_LIMIT(max_backoff_ms, 200, MANIFEST_ERR_RESTART,
             "service \"shell\": restart: backoffMs 250 exceeds the ceiling 200");
    /* Exactly what valid_full uses is still accepted. */
    l = manifest_default_limits();
    l.max_binaries = 4;
    l.max_services = 4;
    l.max_endpoints = 2;
    l.max_grants = 6;
    l.max_exports = 2;
    l.max_argv = 2;
    l.max_env = 3;
    l.max_arg_len = 10;
    l.max_name_len = 7;
    l.max_memory_limit = 16u << 20;
    l.max_restarts = 5;
    l.max_backoff_ms = 250;
    mt_expect("valid_full", &l, MANIFEST_OK, "");
#undef MT_LIMIT
}

TEST(manifest_limits_elf)
{
    char msg[256];
    struct manifest_limits l = manifest_default_limits();
    /* tiny.elf is linked at 0x400000. */
    l.elf.va_min = 0x800000;
    snprintf(msg, sizeof(msg), "binary \"init\": bad ELF: %s (program header 0)",
             elf_strerror(ELF_ERR_SEG_VA_RANGE));
    mt_expect("valid_full", &l, MANIFEST_ERR_ELF, msg);
}

TEST(manifest_limits_invalid)
{
    struct manifest_limits l;
    l = manifest_default_limits();
    l.max_services = MANIFEST_MAX_SERVICES + 1;
    mt_expect("valid_minimal", &l, MANIFEST_ERR_ARG, "invalid limits: a count above its hard cap");
    l = manifest_default_limits();
    l.max_grants = MANIFEST_MAX_GRANTS + 1;
    mt_expect("valid_minimal", &l, MANIFEST_ERR_ARG, "invalid limits: a count above its hard cap");
    l = manifest_default_limits();
    l.max_name_len = 0;
    mt_expect("valid_minimal", &l, MANIFEST_ERR_ARG, "invalid limits: max_name_len must be 1..31");
    l.max_name_len = 32;
    mt_expect("valid_minimal", &l, MANIFEST_ERR_ARG, "invalid limits: max_name_len must be 1..31");
    l = manifest_default_limits();
    l.elf.va_min = 0x10001;
    mt_expect("valid_minimal", &l, MANIFEST_ERR_ARG, "invalid limits: bad ELF address range");
    l = manifest_default_limits();
    l.elf.va_max = l.elf.va_min;
    mt_expect("valid_minimal", &l, MANIFEST_ERR_ARG, "invalid limits: bad ELF address range");
}

TEST(manifest_default_limits_values)
{
    struct manifest_limits l = manifest_default_limits();
    CHECK_EQ(l.max_binaries, 64);
    CHECK_EQ(l.max_services, 64);
    CHECK_EQ(l.max_endpoints, 64);
    CHECK_EQ(l.max_grants, 32);
    CHECK_EQ(l.max_exports, 16);
    CHECK_EQ(l.max_argv, 64);
    CHECK_EQ(l.max_env, 64);
    CHECK_EQ(l.max_name_len, 31);
    CHECK_EQ(l.max_restarts, 1000);
    CHECK(l.max_memory_limit == 1ull << 30);
    CHECK(l.elf.va_min < l.elf.va_max && l.elf.max_total > 0);
}

TEST(manifest_strerror_all)
{
    for (int e = 0; e < MANIFEST_ERR_COUNT; e++)
        CHECK(strcmp(manifest_strerror((enum manifest_err)e), "unknown manifest error") != 0);
    CHECK_STR(manifest_strerror(MANIFEST_ERR_COUNT), "unknown manifest error");
    CHECK_STR(manifest_strerror((enum manifest_err) - 1), "unknown manifest error");
}

/* ---- The reason buffer ---- */

TEST(manifest_why_truncated)
{
    char why[16];
    size_t len;
    uint8_t *buf = mt_fixture("bad_export_missing.bin", &len);
    CHECK(buf != NULL);
    memset(why, 'X', sizeof(why));
    CHECK_EQ(mt_validate(buf, len, NULL, why, sizeof(why)), MANIFEST_ERR_NOT_FOUND);
    CHECK_STR(why, "service \"echo\":");
    memset(why, 'X', sizeof(why));
    CHECK_EQ(mt_validate(buf, len, NULL, why, 1), MANIFEST_ERR_NOT_FOUND);
    CHECK_EQ(why[0], '\0');
    CHECK_EQ(why[1], 'X');
    CHECK_EQ(mt_validate(buf, len, NULL, NULL, 100), MANIFEST_ERR_NOT_FOUND);
    free(buf);

    /* The cycle report is assembled piece by piece: it must stop at the end too. */
    buf = mt_fixture("bad_cycle.bin", &len);
    CHECK(buf != NULL);
    for (size_t n = 1; n <= 40; n++) {
        char big[64];
        memset(big, 'X', sizeof(big));
        CHECK_EQ(mt_validate(buf, len, NULL, big, n), MANIFEST_ERR_CYCLE);
        CHECK_EQ(strlen(big), n - 1 < 34 ? n - 1 : 34);
        CHECK(strncmp(big, "dependency cycle: a -> b -> c -> a", strlen(big)) == 0);
        CHECK_EQ(big[n], 'X');
    }
    free(buf);
}

/* ---- Raw bytes ---- */

TEST(manifest_raw_empty_and_null)
{
    char why[128];
    static const uint8_t zero[8];
    CHECK_EQ(mt_validate(NULL, 0, NULL, why, sizeof(why)), MANIFEST_ERR_MALFORMED);
    CHECK_STR(why, "malformed message: message truncated");
    CHECK_EQ(mt_validate(NULL, 64, NULL, why, sizeof(why)), MANIFEST_ERR_MALFORMED);
    CHECK_STR(why, "malformed message: invalid argument");
    /* One empty segment: no root at all. */
    CHECK_EQ(mt_validate(zero, sizeof(zero), NULL, why, sizeof(why)), MANIFEST_ERR_MALFORMED);
    CHECK_STR(why, "malformed message: pointer target out of bounds");
}

/* Every proper prefix of a valid manifest is refused as malformed. */
TEST(manifest_raw_truncated)
{
    char why[128];
    size_t len;
    uint8_t *buf = mt_fixture("valid_full.bin", &len);
    CHECK(buf != NULL);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, buf, n);
        enum manifest_err e = mt_validate(cut, n, NULL, why, sizeof(why));
        free(cut);
        CHECK_EQ(e, MANIFEST_ERR_MALFORMED);
        CHECK_STR(why, "malformed message: message truncated");
    }
    /* And so is one byte too many. */
    uint8_t *more = malloc(len + 8);
    memcpy(more, buf, len);
    memset(more + len, 0, 8);
    CHECK_EQ(mt_validate(more, len + 8, NULL, why, sizeof(why)), MANIFEST_ERR_MALFORMED);
    CHECK_STR(why, "malformed message: bytes after the last segment");
    free(more);
    free(buf);
}

static uint64_t mt_rand_state = 0x9e3779b97f4a7c15ull;

static uint64_t mt_rand(void)
{
    mt_rand_state ^= mt_rand_state << 13;
    mt_rand_state ^= mt_rand_state >> 7;
    mt_rand_state ^= mt_rand_state << 17;
    return mt_rand_state;
}

TEST(manifest_raw_garbage)
{
    char why[256];
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(mt_rand() % 512);
        uint8_t *buf = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)mt_rand();
        /* Half the time, a plausible one-segment header for the rest. */
        if (round & 1 && n >= 8) {
            uint32_t words = (uint32_t)((n - 8) / 8);
            n = 8 + (size_t)words * 8;
            memset(buf, 0, 4);
            memcpy(buf + 4, &words, 4);
        }
        enum manifest_err e = mt_validate(buf, n, NULL, why, sizeof(why));
        free(buf);
        CHECK(e != MANIFEST_OK);
        CHECK((unsigned)e < MANIFEST_ERR_COUNT);
        CHECK(why[0] != '\0');
        CHECK(mt_printable_line(why));
    }
}

/*
 * Every single-byte change of valid_full: whatever the verdict, it is made
 * without a sanitizer report, with a printable one-line reason, and the
 * queries stay safe on what validation accepted.
 */
TEST(manifest_raw_byte_flips)
{
    char why[256];
    size_t len;
    uint8_t *buf = mt_fixture("valid_full.bin", &len);
    int accepted = 0, refused = 0;
    CHECK(buf != NULL);
    for (size_t i = 0; i < len; i++) {
        static const uint8_t flips[] = {0x01, 0x80, 0xff};
        for (size_t f = 0; f < sizeof(flips); f++) {
            buf[i] ^= flips[f];
            enum manifest_err e = mt_validate(buf, len, NULL, why, sizeof(why));
            CHECK((unsigned)e < MANIFEST_ERR_COUNT);
            CHECK(mt_printable_line(why));
            if (e == MANIFEST_OK) {
                struct manifest m;
                uint32_t order[64], n;
                accepted++;
                CHECK_STR(why, "");
                CHECK_EQ(manifest_open(&m, buf, len), MANIFEST_OK);
                CHECK_EQ(manifest_start_order(&m, order, 64, &n), MANIFEST_OK);
            } else {
                refused++;
                CHECK(why[0] != '\0');
            }
            buf[i] ^= flips[f];
        }
    }
    /* Flips in ignored bytes (ELF code, badges, the system name) are harmless. */
    CHECK(accepted > 0 && refused > 0);
    free(buf);
}

/*
 * A hand-made one-segment message: a SystemManifest root with formatVersion
 * 1 whose binaries pointer is `list_ptr` (to the words that follow) and whose
 * remaining words are `tail`.
 */
static size_t mt_raw_manifest(uint8_t *out, uint64_t list_ptr, const uint64_t *tail, size_t ntail)
{
    uint64_t w[16] = {0};
    size_t n = 0;
    w[n++] = (1ull << 32) | (5ull << 48); /* root: struct at +0, 1 data word, 5 pointers */
    w[n++] = 1;                           /* formatVersion */
    w[n++] = 0;                           /* name */
    w[n++] = list_ptr;                    /* binaries, at word 3 of the segment */
    w[n++] = 0;                           /* init */
    w[n++] = 0;                           /* services */
    w[n++] = 0;                           /* endpoints */
    for (size_t i = 0; i < ntail; i++)
        w[n++] = tail[i];
    uint32_t hdr[2] = {0, (uint32_t)n};
    memcpy(out, hdr, 8);
    memcpy(out + 8, w, n * 8);
    return 8 + n * 8;
}

/* A list pointer from word 3 to the word after the seven above (offset 3). */
static uint64_t mt_list_ptr(uint32_t elem, uint32_t count)
{
    return 1 | (3ull << 2) | ((uint64_t)elem << 32) | ((uint64_t)count << 35);
}

TEST(manifest_raw_huge_list_count)
{
    uint8_t msg[256];
    char why[128];
    size_t n;

    /* A composite list claiming (2^29 - 1) words of elements. */
    uint64_t tag = (uint64_t)1 << 2; /* one element of 0 data words, 0 pointers */
    n = mt_raw_manifest(msg, mt_list_ptr(7, (1u << 29) - 1), &tag, 1);
    CHECK_EQ(mt_validate(msg, n, NULL, why, sizeof(why)), MANIFEST_ERR_MALFORMED);
    CHECK_STR(why, "malformed message: pointer target out of bounds");

    /* Zero-sized elements cost no bytes: 1000 of them are simply too many. */
    tag = (uint64_t)1000 << 2;
    n = mt_raw_manifest(msg, mt_list_ptr(7, 0), &tag, 1);
    CHECK_EQ(mt_validate(msg, n, NULL, why, sizeof(why)), MANIFEST_ERR_TOO_MANY);
    CHECK_STR(why, "too many binaries: 1000 (limit 64)");

    /* The largest count a tag can hold: the capnp reader's budget stops it first. */
    tag = (uint64_t)((1u << 30) - 1) << 2;
    n = mt_raw_manifest(msg, mt_list_ptr(7, 0), &tag, 1);
    CHECK_EQ(mt_validate(msg, n, NULL, why, sizeof(why)), MANIFEST_ERR_MALFORMED);
    CHECK_STR(why, "malformed message: traversal limit exceeded");

    /*
     * A list of bits where a list of structs belongs.  (A list of bytes would
     * do: capnp reads it as structs whose data section is the byte.)
     */
    n = mt_raw_manifest(msg, mt_list_ptr(1, 3), &tag, 1);
    CHECK_EQ(mt_validate(msg, n, NULL, why, sizeof(why)), MANIFEST_ERR_MALFORMED);
    CHECK_STR(why, "malformed message: list element size incompatible with its type");
}

/* ---- Large manifests from our own builder ---- */

struct mt_big {
    uint8_t *arena;
    const uint8_t *msg;
    size_t len;
};

static void mt_name(char *out, const char *kind, uint32_t i)
{
    /* Exactly 31 bytes: the longest names allowed. */
    snprintf(out, 32, "%s-%02u-0123456789abcdefghijklmnopq", kind, i);
}

/*
 * The largest manifest some limits allow, in every dimension the validator
 * loops over: 64 binaries, endpoints and services; each service with
 * `exports` exports and `grants` grants (imports from up to 16 earlier
 * services, one endpoint, and the rest restricted spawners naming all 64
 * binaries), 64 argv and 64 env entries.  `cycle` makes service 0 import from
 * the last service too, which closes cycles through the chain of imports.
 */
static int mt_build_big(struct mt_big *big, bool cycle, uint32_t ngrants, uint32_t nexports)
{
    enum { N = 64, IMPORTS = 16 };
    size_t cap = 32u << 20;
    struct capnp_builder b;
    char name[32], other[32];
    size_t tiny_len;
    uint8_t *tiny = mt_fixture("tiny.elf", &tiny_len);

    big->arena = aligned_alloc(8, cap);
    if (!tiny || !big->arena || capnp_builder_init(&b, big->arena, cap) != CAPNP_OK)
        return 0;
    capos_SystemManifest_builder m = capos_SystemManifest_init_root(&b);
    capos_SystemManifest_set_formatVersion(m, 1);
    capos_Binary_builder_list bins = capos_SystemManifest_init_binaries(m, N);
    struct capnp_list_builder eps = capos_SystemManifest_init_endpoints(m, N);
    for (uint32_t i = 0; i < N; i++) {
        capos_Binary_builder bb = capos_Binary_list_at(bins, i);
        mt_name(name, "binary", i);
        capos_Binary_set_name(bb, name, 31);
        capos_Binary_set_elf(bb, tiny, tiny_len);
        mt_name(name, "endpoint", i);
        capnp_lb_set_text(eps, i, name, 31);
    }
    mt_name(name, "binary", 0);
    capos_SystemManifest_set_init(m, name, 31);

    capos_Service_builder_list svcs = capos_SystemManifest_init_services(m, N);
    for (uint32_t i = 0; i < N; i++) {
        capos_Service_builder s = capos_Service_list_at(svcs, i);
        mt_name(name, "service", i);
        capos_Service_set_name(s, name, 31);
        mt_name(name, "binary", N - 1 - i);
        capos_Service_set_binary(s, name, 31);
        capos_Export_builder_list xs = capos_Service_init_exports(s, nexports);
        for (uint32_t k = 0; k < nexports; k++) {
            mt_name(name, "export", k);
            capos_Export_set_name(capos_Export_list_at(xs, k), name, 31);
        }
        capos_Grant_builder_list gs = capos_Service_init_grants(s, ngrants);
        for (uint32_t k = 0; k < ngrants; k++) {
            capos_Grant_builder g = capos_Grant_list_at(gs, k);
            capos_Grant_source_builder src = capos_Grant_init_source(g);
            mt_name(name, "grant", k);
            capos_Grant_set_name(g, name, 31);
            if (k == ngrants - 1) {
                capos_EndpointRef_builder ep = capos_Grant_source_init_endpoint(src);
                mt_name(name, "endpoint", i);
                capos_EndpointRef_set_name(ep, name, 31);
                capos_EndpointRef_set_role(ep, capos_EndpointRole_client);
                capos_EndpointRef_set_badge(ep, i);
            } else if (k < IMPORTS && (i > k || (cycle && i == 0 && k == 0))) {
                capos_ExportRef_builder er = capos_Grant_source_init_export(src);
                uint32_t from = i > k ? i - 1 - k : N - 1;
                mt_name(other, "service", from);
                mt_name(name, "export", k);
                capos_ExportRef_set_service(er, other, 31);
                capos_ExportRef_set_export(er, name, 31);
            } else {
                capos_KernelCap_builder kc = capos_Grant_source_init_kernel(src);
                capos_KernelCap_set_kind(kc, capos_KernelCapKind_processSpawner);
                struct capnp_list_builder ab = capos_KernelCap_init_allowedBinaries(kc, N);
                for (uint32_t j = 0; j < N; j++) {
                    mt_name(name, "binary", (j * 37 + k) % N);
                    capnp_lb_set_text(ab, j, name, 31);
                }
            }
        }
        capos_RestartPolicy_builder rp = capos_Service_init_restart(s);
        capos_RestartPolicy_set_mode(rp, capos_RestartMode_onFailure);
        capos_RestartPolicy_set_maxRestarts(rp, 1000);
        capos_RestartPolicy_set_backoffMs(rp, 60000);
        struct capnp_list_builder argv = capos_Service_init_argv(s, 64);
        struct capnp_list_builder env = capos_Service_init_env(s, 64);
        for (uint32_t k = 0; k < 64; k++) {
            snprintf(name, sizeof(name), "argument-%02u", k);
            capnp_lb_set_text(argv, k, name, strlen(name));
            snprintf(name, sizeof(name), "KEY_%02u=value", k);
            capnp_lb_set_text(env, k, name, strlen(name));
        }
    }
    free(tiny);
    return capnp_builder_finish(&b, &big->msg, &big->len) == CAPNP_OK;
}

TEST(manifest_big_valid)
{
    struct mt_big big;
    struct manifest_summary sum;
    struct manifest m;
    char why[256];
    uint32_t order[64], pos[64], n;

    CHECK(mt_build_big(&big, false, 32, 16));
    enum manifest_err e = manifest_validate(big.msg, big.len, NULL, &sum, why, sizeof(why));
    CHECK_STR(why, "");
    CHECK_EQ(e, MANIFEST_OK);
    CHECK_EQ(sum.binaries, 64);
    CHECK_EQ(sum.services, 64);
    CHECK_EQ(sum.endpoints, 64);
    CHECK_EQ(sum.exports, 64 * 16);
    CHECK_EQ(sum.grants, 64 * 32);

    /* Service i imports from i-1 .. i-16: a chain 64 deep. */
    CHECK_EQ(manifest_open(&m, big.msg, big.len), MANIFEST_OK);
    CHECK_EQ(manifest_start_order(&m, order, 64, &n), MANIFEST_OK);
    CHECK_EQ(n, 64);
    for (uint32_t i = 0; i < 64; i++)
        pos[order[i]] = i;
    for (uint32_t i = 0; i < 64; i++) {
        for (uint32_t k = 0; k < 16 && k < i; k++)
            CHECK(pos[i - 1 - k] < pos[i]);
    }

    /* One fewer binary allowed: both the binaries and allowedBinaries count. */
    struct manifest_limits l = manifest_default_limits();
    l.max_binaries = 63;
    CHECK_EQ(manifest_validate(big.msg, big.len, &l, &sum, why, sizeof(why)),
             MANIFEST_ERR_TOO_MANY);
    CHECK_STR(why, "too many binaries: 64 (limit 63)");
    free(big.arena);
}

/* Limits raised to the hard caps: still accepted, within the reader's budget. */
TEST(manifest_big_hard_caps)
{
    struct mt_big big;
    struct manifest_summary sum;
    char why[256];
    struct manifest_limits l = manifest_default_limits();
    l.max_grants = MANIFEST_MAX_GRANTS;
    l.max_exports = MANIFEST_MAX_EXPORTS;

    CHECK(mt_build_big(&big, false, MANIFEST_MAX_GRANTS, MANIFEST_MAX_EXPORTS));
    enum manifest_err e = manifest_validate(big.msg, big.len, &l, &sum, why, sizeof(why));
    CHECK_STR(why, "");
    CHECK_EQ(e, MANIFEST_OK);
    CHECK_EQ(sum.grants, 64 * MANIFEST_MAX_GRANTS);
    CHECK_EQ(sum.exports, 64 * MANIFEST_MAX_EXPORTS);
    /* The defaults refuse it. */
    CHECK_EQ(manifest_validate(big.msg, big.len, NULL, &sum, why, sizeof(why)),
             MANIFEST_ERR_TOO_MANY);
    char expect[128], name[32];
    mt_name(name, "service", 0);
    snprintf(expect, sizeof(expect), "service \"%s\": too many exports: 32 (limit 16)", name);
    CHECK_STR(why, expect);
    free(big.arena);
}

TEST(manifest_big_cycle)
{
    struct mt_big big;
    struct manifest m;
    char why[4096], expect[4096];
    uint32_t order[64], n;
    size_t pos = 0;

    CHECK(mt_build_big(&big, true, 32, 16));
    CHECK_EQ(mt_validate(big.msg, big.len, NULL, why, sizeof(why)), MANIFEST_ERR_CYCLE);
    /*
     * Service 0 imports only from 63; the search then follows each service's
     * lowest-numbered import: 63 -> 47 -> 31 -> 15 -> 0, which closes it.
     */
    static const uint32_t path[] = {0, 63, 47, 31, 15, 0};
    pos += (size_t)snprintf(expect + pos, sizeof(expect) - pos, "dependency cycle: ");
    for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
        char name[32];
        mt_name(name, "service", path[i]);
        pos += (size_t)snprintf(expect + pos, sizeof(expect) - pos, "%s%s", name,
                                i + 1 < sizeof(path) / sizeof(path[0]) ? " -> " : "");
    }
    CHECK_STR(why, expect);
    /* The same report cut to a small buffer. */
    CHECK_EQ(mt_validate(big.msg, big.len, NULL, why, 100), MANIFEST_ERR_CYCLE);
    CHECK_EQ(strlen(why), 99);
    CHECK(strncmp(why, expect, 99) == 0);
    CHECK_EQ(manifest_open(&m, big.msg, big.len), MANIFEST_OK);
    CHECK_EQ(manifest_start_order(&m, order, 64, &n), MANIFEST_ERR_CYCLE);
    free(big.arena);
}
