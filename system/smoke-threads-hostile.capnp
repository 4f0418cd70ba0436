# Smoke test: hostile and edge-case use of the thread interfaces.
# ThreadSpawner, ThreadHandle, ThreadControl, ParkSpace and SchedulingPolicy
# (user/tests/threads_hostile.c).
# The program starts copies of itself as children for the cases that must
# end a process (faults, kills, the last thread's exit), so it holds an
# unrestricted spawner; its policy is bounded (weight 2048, no latency class)
# so that the bounds can be tested.
@0xa4d2f7e913c8b650;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "threads-hostile",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "threads_hostile", elf = embed "/threads_hostile"),
  ],
  init = "init",
  services = [
    ( name = "threads-hostile", binary = "threads_hostile",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
        (name = "policy", source = (kernel = (kind = schedulingPolicy, maxWeight = 2048))),
      ] ),
  ],
);
