/*
 * sched_policy: who may change a thread's weight and class.
 *
 * Run twice from one manifest.  As "sched-nopolicy" (argv[1] = "none") the
 * process holds no SchedulingPolicy at all:
 *   lower-only       a thread can lower its own weight (ThreadControl
 *                    .lowerWeight), to the same value too, but not raise it
 *                    again or set 0 (invalidArgument); a thread it then
 *                    creates inherits the lowered weight; another thread's
 *                    ThreadControl refuses lowerWeight (notPermitted).
 * As "sched-policy" it holds an unbounded policy with the latency class
 * ("policy"), one bounded by the manifest to weight 2048 ("small") and one
 * bounded to weight 1024 with the latency class ("lat"):
 *   limits           limits() of each grant reports its manifest bounds
 *   set              the unbounded policy raises and lowers a thread's weight
 *                    through its ThreadHandle or its ThreadControl, up to
 *                    65536, and sets the latency class; weight 0 or above
 *                    65536, a capability that is not a thread (the
 *                    console) and no capability at all are invalidArgument
 *   lower-after-set  after a raise, lowerWeight lowers but cannot go back up
 *   inherit          a new thread gets its creator's weight and class
 *   restrict         restrict(2048, batch) gives a policy whose limits say
 *                    so, which sets up to 2048 and refuses more and the
 *                    latency class (notPermitted), refuses to restrict to
 *                    anything wider (notPermitted) but narrows further;
 *                    restrict(0) is invalidArgument; restricting to the
 *                    same bounds is allowed
 *   manifest-bounds  the "small" and "lat" grants refuse what their bounds
 *                    exclude and allow what they include
 * ThreadHandle.info is checked after every call: successful ones show, and
 * refused ones leave the weight and class as they were.
 *
 * Output: "<name>: <case>: ok" or FAIL lines saying what differed.
 */
#include "capos.h"

#include "base/mem.h"
#include "rawcall.h"

static const char *prog = "sched-policy";
static const char *case_name;
static unsigned failures, total_failures;

#define fail(...)                                                                                  \
    do {                                                                                           \
        capos_printf("%s: %s: FAIL: ", prog, case_name);                                           \
        capos_printf(__VA_ARGS__);                                                                 \
        capos_printf("\n");                                                                        \
        failures++;                                                                                \
        total_failures++;                                                                          \
    } while (0)

static void begin(const char *name)
{
    case_name = name;
    failures = 0;
}

static void end(void)
{
    if (!failures)
        capos_printf("%s: %s: ok\n", prog, case_name);
}

/* Checks that a call gave `want`; `what` says which call. */
static void expect(int got, int want, const char *what)
{
    if (got != want)
        fail("%s gave %s, expected %s", what, capos_error_name(got), capos_error_name(want));
}

/* Checks the weight and class that ThreadHandle.info reports. */
static void expect_params(uint32_t handle, uint32_t weight, bool latency, const char *after)
{
    struct capos_thread_info info;
    int r = capos_thread_info(handle, &info);
    if (r != CAPOS_OK) {
        fail("info after %s: %s", after, capos_error_name(r));
        return;
    }
    if (info.weight != weight || info.latency != latency)
        fail("after %s: weight %u %s, expected %u %s", after, info.weight,
             info.latency ? "latency" : "batch", weight, latency ? "latency" : "batch");
}

/* SchedulingPolicy.restrict; the new policy's cap id goes to *out. */
static int policy_restrict(uint32_t policy, uint32_t max_weight, bool latency, uint32_t *out)
{
    struct capos_msg m;
    const uint8_t *params;
    uint32_t len;
    uint64_t res[8];
    struct capos_cqe cqe;
    capos_msg_init(&m);
    capos_SchedulingPolicy_restrict_Params_builder p =
        capos_SchedulingPolicy_restrict_Params_init_root(&m.b);
    capos_SchedulingPolicy_restrict_Params_set_maxWeight(p, max_weight);
    capos_SchedulingPolicy_restrict_Params_set_latency(p, latency);
    int e = capos_msg_finish(&m, &params, &len);
    if (e != CAPOS_OK)
        return e;
    e = capos_call(policy, capos_SchedulingPolicy_INTERFACE_ID,
                   capos_SchedulingPolicy_method_restrict, params, len, res, sizeof(res), 0, 0,
                   &cqe);
    if (e != CAPOS_OK)
        return e;
    if (cqe.ncaps != 1)
        return CAPOS_ERR_INVALID_ARGUMENT;
    *out = ((const uint32_t *)((const uint8_t *)res + CAPOS_CAPS_OFFSET(cqe.result_len)))[0];
    return CAPOS_OK;
}

/* SchedulingPolicy.set with no capability attached. */
static int policy_set_without_thread(uint32_t policy)
{
    struct capos_msg m;
    const uint8_t *params;
    uint32_t len;
    capos_msg_init(&m);
    capos_SchedulingPolicy_set_Params_builder p = capos_SchedulingPolicy_set_Params_init_root(&m.b);
    capos_SchedulingPolicy_set_Params_set_thread(p, 0);
    capos_SchedulingPolicy_set_Params_set_weight(p, 1024);
    int e = capos_msg_finish(&m, &params, &len);
    if (e != CAPOS_OK)
        return e;
    return capos_call(policy, capos_SchedulingPolicy_INTERFACE_ID,
                      capos_SchedulingPolicy_method_set, params, len, 0, 0, 0, 0, 0);
}

static void expect_limits(uint32_t policy, uint32_t max_weight, bool latency, const char *which)
{
    uint32_t w = 0;
    bool l = !latency;
    int e = policy_limits(policy, &w, &l);
    if (e != CAPOS_OK)
        fail("limits of %s: %s", which, capos_error_name(e));
    else if (w != max_weight || l != latency)
        fail("limits of %s: %u %s, expected %u %s", which, w, l ? "latency" : "batch", max_weight,
             latency ? "latency" : "batch");
}

/* ---- without any policy ---- */

static uint32_t foreign_control;

static int lower_foreign(void *arg)
{
    (void)arg;
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ThreadControl_lowerWeight_Params_set_weight(
        capos_ThreadControl_lowerWeight_Params_init_root(&m.b), 1);
    return capos_client_call(foreign_control, capos_ThreadControl_INTERFACE_ID,
                             capos_ThreadControl_method_lowerWeight, &m, 0, 0, 0);
}

static int idle(void *arg)
{
    (void)arg;
    return 0;
}

static int without_policy(uint32_t self)
{
    uint32_t any;
    begin("lower-only");
    if (capos_capset_find("policy", 0, &any) != CAPOS_ERR_NOT_FOUND)
        fail("the process holds a \"policy\" capability");
    expect_params(self, 1024, false, "start");
    expect(capos_thread_lower_weight(512), CAPOS_OK, "lowerWeight(512)");
    expect_params(self, 512, false, "lowerWeight(512)");
    expect(capos_thread_lower_weight(512), CAPOS_OK, "lowerWeight(512) again");
    expect(capos_thread_lower_weight(1024), CAPOS_ERR_INVALID_ARGUMENT, "lowerWeight(1024)");
    expect(capos_thread_lower_weight(513), CAPOS_ERR_INVALID_ARGUMENT, "lowerWeight(513)");
    expect(capos_thread_lower_weight(0), CAPOS_ERR_INVALID_ARGUMENT, "lowerWeight(0)");
    expect_params(self, 512, false, "the refused calls");
    expect(capos_thread_lower_weight(1), CAPOS_OK, "lowerWeight(1)");
    expect_params(self, 1, false, "lowerWeight(1)");

    struct capos_thread *t;
    int code = -1;
    if (capos_thread_create(&t, idle, 0, 0) != CAPOS_OK) {
        fail("cannot create a thread");
    } else {
        expect_params(t->handle, 1, false, "creation by a thread of weight 1");
        capos_thread_join(t, 0, 0);
    }
    foreign_control = capos_thread_self()->control;
    if (capos_thread_create(&t, lower_foreign, 0, 0) != CAPOS_OK ||
        capos_thread_join(t, &code, 0) != CAPOS_OK)
        fail("cannot run a second thread");
    else
        expect(code, CAPOS_ERR_NOT_PERMITTED, "lowerWeight on another thread's ThreadControl");
    end();
    return total_failures ? 1 : 0;
}

/* ---- with policies ---- */

static void limits(uint32_t policy, uint32_t small, uint32_t lat)
{
    begin("limits");
    expect_limits(policy, 65536, true, "policy");
    expect_limits(small, 2048, false, "small");
    expect_limits(lat, 1024, true, "lat");
    end();
}

static void set(uint32_t policy, uint32_t self, uint32_t console)
{
    uint32_t control = capos_thread_self()->control;
    begin("set");
    /* Sets that take, each checked through the thread's info. */
    static const struct {
        const char *what;
        bool by_control; /* name the thread by its ThreadControl, not its handle */
        uint32_t weight;
        bool latency;
    } taken[] = {
        {"set(handle, 4096)", false, 4096, false},
        {"set(control, 2000)", true, 2000, false},
        {"set(65536)", false, 65536, false},
        {"set(300, latency)", false, 300, true},
        {"set(1)", false, 1, false},
        {"set(1024)", false, 1024, false},
    };
    for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
        expect(capos_sched_set(policy, taken[i].by_control ? control : self, taken[i].weight,
                               taken[i].latency),
               CAPOS_OK, taken[i].what);
        expect_params(self, taken[i].weight, taken[i].latency, taken[i].what);
    }

    expect(capos_sched_set(policy, self, 0, false), CAPOS_ERR_INVALID_ARGUMENT, "set(0)");
    expect(capos_sched_set(policy, self, 65537, false), CAPOS_ERR_INVALID_ARGUMENT, "set(65537)");
    expect(capos_sched_set(policy, self, UINT32_MAX, true), CAPOS_ERR_INVALID_ARGUMENT,
           "set(4294967295, latency)");
    expect(capos_sched_set(policy, console, 2048, false), CAPOS_ERR_INVALID_ARGUMENT,
           "set(console, 2048)");
    expect(capos_sched_set(policy, policy, 2048, false), CAPOS_ERR_INVALID_ARGUMENT,
           "set(the policy itself, 2048)");
    expect(policy_set_without_thread(policy), CAPOS_ERR_INVALID_ARGUMENT, "set without a thread");
    expect_params(self, 1024, false, "the refused calls");
    end();
}

static void lower_after_set(uint32_t policy, uint32_t self)
{
    begin("lower-after-set");
    expect(capos_sched_set(policy, self, 4096, false), CAPOS_OK, "set(4096)");
    expect(capos_thread_lower_weight(2048), CAPOS_OK, "lowerWeight(2048)");
    expect_params(self, 2048, false, "lowerWeight(2048)");
    expect(capos_thread_lower_weight(4096), CAPOS_ERR_INVALID_ARGUMENT, "lowerWeight(4096)");
    expect_params(self, 2048, false, "lowerWeight(4096)");
    /* The class is kept by lowerWeight. */
    expect(capos_sched_set(policy, self, 2048, true), CAPOS_OK, "set(2048, latency)");
    expect(capos_thread_lower_weight(1500), CAPOS_OK, "lowerWeight(1500)");
    expect_params(self, 1500, true, "lowerWeight(1500) in the latency class");
    expect(capos_sched_set(policy, self, 1024, false), CAPOS_OK, "set(1024)");
    end();
}

static void inherit(uint32_t policy, uint32_t self)
{
    struct capos_thread *t;
    begin("inherit");
    expect(capos_sched_set(policy, self, 3000, true), CAPOS_OK, "set(3000, latency)");
    if (capos_thread_create(&t, idle, 0, 0) != CAPOS_OK) {
        fail("cannot create a thread");
    } else {
        expect_params(t->handle, 3000, true, "creation by a thread of 3000, latency");
        capos_thread_join(t, 0, 0);
    }
    expect(capos_sched_set(policy, self, 1024, false), CAPOS_OK, "set(1024)");
    expect_params(self, 1024, false, "set(1024)");
    end();
}

static void restrict_case(uint32_t policy, uint32_t self)
{
    uint32_t narrow = 0, narrower = 0, same = 0, none = 0;
    begin("restrict");
    int e = policy_restrict(policy, 2048, false, &narrow);
    if (e != CAPOS_OK) {
        fail("restrict(2048, batch): %s", capos_error_name(e));
        end();
        return;
    }
    expect_limits(narrow, 2048, false, "restrict(2048, batch)");
    expect(capos_sched_set(narrow, self, 2048, false), CAPOS_OK, "narrow set(2048)");
    expect_params(self, 2048, false, "narrow set(2048)");
    expect(capos_sched_set(narrow, self, 100, false), CAPOS_OK, "narrow set(100)");
    expect_params(self, 100, false, "narrow set(100)");
    expect(capos_sched_set(narrow, self, 2049, false), CAPOS_ERR_NOT_PERMITTED, "narrow set(2049)");
    expect(capos_sched_set(narrow, self, 1024, true), CAPOS_ERR_NOT_PERMITTED,
           "narrow set(1024, latency)");
    expect(capos_sched_set(narrow, self, 65537, false), CAPOS_ERR_INVALID_ARGUMENT,
           "narrow set(65537)");
    expect(capos_sched_set(narrow, self, 0, false), CAPOS_ERR_INVALID_ARGUMENT, "narrow set(0)");
    expect_params(self, 100, false, "the refused calls");

    expect(policy_restrict(narrow, 4096, false, &none), CAPOS_ERR_NOT_PERMITTED,
           "narrow restrict(4096, batch)");
    expect(policy_restrict(narrow, 1024, true, &none), CAPOS_ERR_NOT_PERMITTED,
           "narrow restrict(1024, latency)");
    expect(policy_restrict(narrow, 0, false, &none), CAPOS_ERR_INVALID_ARGUMENT,
           "narrow restrict(0, batch)");
    expect(policy_restrict(narrow, 2048, false, &same), CAPOS_OK, "narrow restrict(2048, batch)");
    if (same) {
        expect_limits(same, 2048, false, "restrict(2048, batch) of itself");
        capos_release(same);
    }
    expect(policy_restrict(narrow, 1024, false, &narrower), CAPOS_OK,
           "narrow restrict(1024, batch)");
    if (narrower) {
        expect_limits(narrower, 1024, false, "restrict(1024, batch) of the narrow policy");
        expect(capos_sched_set(narrower, self, 1025, false), CAPOS_ERR_NOT_PERMITTED,
               "narrower set(1025)");
        expect(capos_sched_set(narrower, self, 1024, false), CAPOS_OK, "narrower set(1024)");
        expect_params(self, 1024, false, "narrower set(1024)");
        capos_release(narrower);
    }
    /* The unbounded policy is unaffected and may hand out its own bounds. */
    expect(policy_restrict(policy, 65536, true, &same), CAPOS_OK, "restrict(65536, latency)");
    if (same) {
        expect_limits(same, 65536, true, "restrict(65536, latency)");
        capos_release(same);
    }
    expect_limits(policy, 65536, true, "policy after restricting");
    capos_release(narrow);
    end();
}

static void manifest_bounds(uint32_t small, uint32_t lat, uint32_t self)
{
    uint32_t none = 0;
    begin("manifest-bounds");
    expect(capos_sched_set(small, self, 2048, false), CAPOS_OK, "small set(2048)");
    expect_params(self, 2048, false, "small set(2048)");
    expect(capos_sched_set(small, self, 2049, false), CAPOS_ERR_NOT_PERMITTED, "small set(2049)");
    expect(capos_sched_set(small, self, 65536, false), CAPOS_ERR_NOT_PERMITTED, "small set(65536)");
    expect(capos_sched_set(small, self, 512, true), CAPOS_ERR_NOT_PERMITTED,
           "small set(512, latency)");
    expect(policy_restrict(small, 4096, false, &none), CAPOS_ERR_NOT_PERMITTED,
           "small restrict(4096, batch)");
    expect_params(self, 2048, false, "the refused calls of small");

    expect(capos_sched_set(lat, self, 1024, true), CAPOS_OK, "lat set(1024, latency)");
    expect_params(self, 1024, true, "lat set(1024, latency)");
    expect(capos_sched_set(lat, self, 1025, true), CAPOS_ERR_NOT_PERMITTED,
           "lat set(1025, latency)");
    expect(capos_sched_set(lat, self, 2048, false), CAPOS_ERR_NOT_PERMITTED, "lat set(2048)");
    expect(policy_restrict(lat, 2048, true, &none), CAPOS_ERR_NOT_PERMITTED,
           "lat restrict(2048, latency)");
    expect_params(self, 1024, true, "the refused calls of lat");
    expect(capos_sched_set(lat, self, 1024, false), CAPOS_OK, "lat set(1024)");
    expect_params(self, 1024, false, "lat set(1024)");
    end();
}

int main(int argc, char **argv)
{
    uint32_t self;
    if (argc > 1 && strcmp(argv[1], "none") == 0)
        prog = "sched-nopolicy";
    case_name = "setup";
    if (capos_thread_handle_self(&self) != CAPOS_OK) {
        fail("no handle for the main thread");
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "none") == 0)
        return without_policy(self);

    uint32_t policy, small, lat, console;
    if (capos_capset_find("policy", capos_SchedulingPolicy_INTERFACE_ID, &policy) != CAPOS_OK ||
        capos_capset_find("small", capos_SchedulingPolicy_INTERFACE_ID, &small) != CAPOS_OK ||
        capos_capset_find("lat", capos_SchedulingPolicy_INTERFACE_ID, &lat) != CAPOS_OK ||
        capos_capset_find("console", capos_Console_INTERFACE_ID, &console) != CAPOS_OK) {
        fail("needs the policy, small, lat and console capabilities");
        return 1;
    }
    limits(policy, small, lat);
    set(policy, self, console);
    lower_after_set(policy, self);
    inherit(policy, self);
    restrict_case(policy, self);
    manifest_bounds(small, lat, self);
    return total_failures ? 1 : 0;
}
