# Smoke test: races between a process ending and threads being created in
# it, and calls a server's receive buffer cannot take
# (user/tests/races.c).  The program starts copies of itself and the echo
# service as children, so it holds an unrestricted spawner, and a memory
# quota above the machine's memory so that its free-memory probe ends at
# noMemory.
@0xc758ca6207346613;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "races",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "races", elf = embed "/races"),
    (name = "echo", elf = embed "/echo"),
  ],
  init = "init",
  services = [
    ( name = "races", binary = "races",
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
