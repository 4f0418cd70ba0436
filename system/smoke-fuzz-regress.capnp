# Smoke test: regression tests of kernel crashes the system-call fuzzer
# found (user/fuzz/fuzz_regress.c).  The program starts copies of itself as
# the children of each case, so it holds an unrestricted spawner.
@0xd2a7c51e38b9f604;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "fuzz-regress",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "fuzz_regress", elf = embed "/fuzz_regress"),
  ],
  init = "init",
  services = [
    ( name = "fuzz-regress", binary = "fuzz_regress",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
      ] ),
  ],
);
