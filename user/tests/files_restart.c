/*
 * Smoke test of a file service that crashes under its restart policy
 * (system/smoke-files-restart.capnp): the client holds a File and a
 * Directory of the first run when a call through the crash badge kills
 * the service (filesrv's FILESRV_CRASH).  The call that crashed it and
 * every later call through those capabilities must end in an error, and
 * promptly (each within CALL_LIMIT_MS), not hang; init restarts the
 * service on the same endpoint, which serves the manifest's grants again:
 * an empty tree (nothing survives a run), where files are made and read
 * back.  The old capabilities stay dead under the new run: their badges
 * belong to the old run's epoch (lib/fs/handle.h).
 */
#define TESTCASE_PREFIX "files-restart"
#include "testcase.h"

#include "base/mem.h"
#include "fmt/fmt.h"

#define CALL_LIMIT_MS 2000

static uint32_t root, crash;
static uint64_t res_buf[capos_File_read_RESULT_BYTES / 8 + 1];

/* How long since t0, in ms. */
static uint64_t ms_since(uint64_t t0)
{
    return (now_ns() - t0) / TESTCASE_MS;
}

static int open_file(uint32_t dir, const char *name, bool create, uint32_t *f)
{
    capos_Directory_open_results r;
    int err = capos_Directory_open_call(
        dir,
        &(capos_Directory_open_args){.name = capnp_text_of(name), .create = create, .mode = 0600},
        &r, NULL);
    if (err == CAPOS_OK)
        *f = r.file;
    return err;
}

static int write_text(uint32_t f, const char *text)
{
    capos_File_write_results r;
    return capos_File_write_call(
        f, &(capos_File_write_args){.data = {(const uint8_t *)text, (uint32_t)strlen(text)}}, &r,
        NULL);
}

static int read_text(uint32_t f, char *out, uint32_t max)
{
    capos_File_read_results r;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    int err = capos_File_read_call(f, &(capos_File_read_args){.count = max - 1}, &r, &o);
    if (err == CAPOS_OK) {
        memcpy(out, r.data.ptr, r.data.len);
        out[r.data.len] = 0;
    }
    return err;
}

static int file_stat(uint32_t f)
{
    capos_File_stat_results r;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    return capos_File_stat_call(f, NULL, &r, &o);
}

static int dir_stat(uint32_t d)
{
    capos_Directory_stat_results r;
    struct capos_rpc_opts o = {.buf = res_buf, .buf_len = sizeof(res_buf)};
    return capos_Directory_stat_call(d, NULL, &r, &o);
}

/* A call through a dead capability: an error, within CALL_LIMIT_MS. */
static void dead(const char *what, int err, uint64_t t0)
{
    uint64_t ms = ms_since(t0);
    CHECK(err != CAPOS_OK, "%s succeeded", what);
    CHECK(ms < CALL_LIMIT_MS, "%s took %lu ms", what, (unsigned long)ms);
    capos_printf("files-restart: %s: %s\n", what, capos_error_name(err));
}

int main(int argc, char **argv)
{
    uint32_t f, d, f2;
    char text[64];
    (void)argc, (void)argv;
    if (capos_capset_find("root", capos_Directory_INTERFACE_ID, &root) != CAPOS_OK ||
        capos_capset_find("crash", capos_Directory_INTERFACE_ID, &crash) != CAPOS_OK ||
        capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) != CAPOS_OK) {
        capos_printf("files-restart: missing root, crash or timer\n");
        return 1;
    }

    begin("before");
    capos_Directory_sub_results sr = {0};
    expect("create kept", open_file(root, "kept", true, &f), CAPOS_OK);
    expect("write kept", write_text(f, "first run"), CAPOS_OK);
    expect("mkdir d",
           capos_Directory_mkdir_call(
               root, &(capos_Directory_mkdir_args){.name = capnp_text_of("d"), .mode = 0755}, NULL,
               NULL),
           CAPOS_OK);
    expect("sub d",
           capos_Directory_sub_call(root, &(capos_Directory_sub_args){.name = capnp_text_of("d")},
                                    &sr, NULL),
           CAPOS_OK);
    d = sr.directory;
    expect("File.stat", file_stat(f), CAPOS_OK);
    expect("Directory.stat", dir_stat(d), CAPOS_OK);
    end();

    begin("crash");
    uint64_t t0 = now_ns();
    dead("the crashing call", capos_Directory_quota_call(crash, NULL, NULL, NULL), t0);
    t0 = now_ns();
    dead("File.stat of the old run", file_stat(f), t0);
    t0 = now_ns();
    dead("File.write of the old run", write_text(f, "lost"), t0);
    t0 = now_ns();
    dead("Directory.stat of the old run", dir_stat(d), t0);
    end();

    begin("after");
    /* The restarted service serves the manifest's root again, from an
     * empty tree; the old File stays dead. */
    int err = CAPOS_ERR_PEER_GONE;
    t0 = now_ns();
    for (int i = 0; i < 200 && err != CAPOS_OK && err != CAPOS_ERR_NOT_FOUND; i++) {
        err = open_file(root, "kept", false, &f2);
        if (err != CAPOS_OK && err != CAPOS_ERR_NOT_FOUND)
            sleep_ms(10);
    }
    expect("open kept in the new run", err, CAPOS_ERR_NOT_FOUND);
    expect("create again", open_file(root, "again", true, &f2), CAPOS_OK);
    expect("write again", write_text(f2, "second run"), CAPOS_OK);
    expect("read again", read_text(f2, text, sizeof(text)), CAPOS_OK);
    CHECK(strcmp(text, "second run") == 0, "read back \"%s\"", text);
    t0 = now_ns();
    dead("File.stat of the old run, after", file_stat(f), t0);
    end();

    capos_printf("files-restart: %u cases, %u failed\n", ncases, nfailed);
    uint32_t stop;
    if (capos_capset_find("stop", capos_Directory_INTERFACE_ID, &stop) == CAPOS_OK)
        capos_Directory_quota_call(stop, NULL, NULL, NULL);
    return nfailed ? 1 : 0;
}
