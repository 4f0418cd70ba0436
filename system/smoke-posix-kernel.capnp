# Smoke test: the kernel interfaces of the POSIX personality (pipes, the
# clock page and wall clock, sleepUntil and cpuTime, clear-tid, the parent
# pid, output ports), user/tests/posix_kernel.c.  It starts copies of itself
# as children, so it holds a spawner.
@0xd8a4c2e6f1b35079;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "posix-kernel",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "posix_kernel", elf = embed "/posix_kernel"),
  ],
  init = "init",
  services = [
    ( name = "posix-kernel", binary = "posix_kernel",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
        (name = "pipes", source = (kernel = (kind = pipeFactory))),
      ] ),
  ],
);
