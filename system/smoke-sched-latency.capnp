# Smoke test: the latency class.  On a CPU kept busy by a batch hog, a
# latency-class thread woken by the same ParkSpace wake as a batch thread
# runs first every time, and its wake-up delay stays under a tick
# (user/tests/sched_latency.c).  Needs two CPUs.
@0x9edcc4859c69d2a9;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "sched-latency",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "sched_latency", elf = embed "/sched_latency"),
  ],
  init = "init",
  services = [
    ( name = "sched-latency", binary = "sched_latency",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "policy", source = (kernel = (kind = schedulingPolicy, latency = true))),
      ] ),
  ],
);
