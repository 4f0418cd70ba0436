# Smoke test: authority over weights and the latency class.
# user/tests/sched_policy.c: "sched-policy" holds an unbounded policy
# with the latency class and two bounded by the manifest; "sched-nopolicy"
# runs the same program without any policy, where a thread may only lower
# its own weight.
@0x8ffbdf2785d35464;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "sched-policy",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "sched_policy", elf = embed "/sched_policy"),
  ],
  init = "init",
  services = [
    ( name = "sched-policy", binary = "sched_policy",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "policy", source = (kernel = (kind = schedulingPolicy, latency = true))),
        (name = "small", source = (kernel = (kind = schedulingPolicy, maxWeight = 2048))),
        (name = "lat", source = (kernel = (kind = schedulingPolicy, maxWeight = 1024,
                                           latency = true))),
      ] ),
    ( name = "sched-nopolicy", binary = "sched_policy", argv = ["sched_policy", "none"],
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
      ] ),
  ],
);
