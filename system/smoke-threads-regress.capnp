# Smoke test: regression tests for threads and spawning.  They run under
# concurrency and at their limits (user/tests/threads_regress.c).  The program starts
# copies of itself as children, thousands of them, and kills many while
# their threads are busy, so it holds an unrestricted spawner.
@0xc5e1b8a3f2d47096;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "threads-regress",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "threads_regress", elf = embed "/threads_regress"),
  ],
  init = "init",
  services = [
    ( name = "threads-regress", binary = "threads_regress",
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
