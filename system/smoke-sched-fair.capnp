# Smoke test: CPU shares by weight.  Three CPU-bound threads pinned to one
# CPU with weights 1024, 2048 and 4096 must receive 1/7, 2/7 and 4/7 of its
# time, each within 5% (user/tests/sched_fair.c).
@0xf33637af058cd13c;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "sched-fair",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "sched_fair", elf = embed "/sched_fair"),
  ],
  init = "init",
  services = [
    ( name = "sched-fair", binary = "sched_fair",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "policy", source = (kernel = (kind = schedulingPolicy))),
      ] ),
  ],
);
