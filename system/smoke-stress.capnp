# Smoke test: the SMP stress run (user/tests/stress.c) for a few seconds.
# The stress process serves IPC to its own threads and to peer processes it
# starts, parks and wakes, and creates and ends threads and processes
# (stress_child) concurrently; it needs an unrestricted spawner for the
# children's kernel grants, and a memory quota above the machine's memory so
# that its free-memory probe ends at noMemory.  `make soak` boots the same
# system with a longer duration (tests/soak.mk).
@0xe3a9c4d27b815f06;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "stress",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "stress", elf = embed "/stress"),
    (name = "stress_child", elf = embed "/stress_child"),
  ],
  init = "init",
  services = [
    ( name = "stress", binary = "stress", argv = ["stress", "6"],
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 1073741824))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
      ] ),
  ],
);
