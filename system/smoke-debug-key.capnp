# Smoke test: the debug key (Ctrl-T) on a system that waits but is not stuck.
# An echo server waits for calls, "parker" on a ParkSpace word, and
# "sleeper" sleeps ten minutes: its timer keeps the system from being a
# stall, so the kernel must not halt it, and Ctrl-T must list all three.
@0xa7e3b9c05d1f4e28;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "debug-key",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "echo", elf = embed "/echo"),
    (name = "waiter", elf = embed "/waiter"),
  ],
  init = "init",
  services = [
    ( name = "echo", binary = "echo", grants = [.console],
      exports = [(name = "echo", interfaceId = 0xea2aba749c55a0b7)] ),
    ( name = "parker", binary = "waiter", argv = ["parker", "park"],
      grants = [.console, (name = "park", source = (kernel = (kind = parkSpace)))] ),
    ( name = "sleeper", binary = "waiter", argv = ["sleeper", "sleep", "600"],
      grants = [.console, (name = "timer", source = (kernel = (kind = timer)))] ),
  ],
);
