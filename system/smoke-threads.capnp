# Smoke test: threads, the mutex and ParkSpace.  Threads: create, join,
# exit codes, affinity, ThreadControl refusing other threads; ParkSpace:
# wrong value, timeout, wake counts, a long ping-pong that would hang on a
# lost wake-up.
@0xd1c5e8a2b7f04c13;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "threads",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "threads", elf = embed "/threads"),
  ],
  init = "init",
  services = [
    ( name = "threads", binary = "threads",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
      ] ),
  ],
);
