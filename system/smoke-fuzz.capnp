# Smoke test: the system-call fuzzer (user/fuzz/) for a short run on 4 CPUs.
# The supervisor starts fuzzing children (fuzz_child) and the innocent
# bystander (fuzz_innocent) and creates kernel objects for them, so it
# holds an unrestricted spawner (through which it grants each child its
# kernel objects, a PipeFactory and Consoles on COM2 and COM3 among them);
# its memory quota is above the machine's memory so that its free-memory
# probe ends at noMemory.  argv: seconds,
# progress interval (0: check memory after the warm-up and at the end
# only), master seed.  `make soak` boots the same system for longer
# (tests/soak.mk).
@0xb6f1c8e2a4d93057;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "fuzz",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "fuzz", elf = embed "/fuzz"),
    (name = "fuzz_child", elf = embed "/fuzz_child"),
    (name = "fuzz_innocent", elf = embed "/fuzz_innocent"),
  ],
  init = "init",
  services = [
    ( name = "fuzz", binary = "fuzz", argv = ["fuzz", "20", "0", "1"],
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
