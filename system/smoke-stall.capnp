# Smoke test: a stuck system, which the kernel must report and halt.
# An echo server serves forever, its client calls three times and exits,
# and "parker" waits on a ParkSpace word nobody changes: once the client is
# gone no thread can run again and no timer is pending, so the kernel lists
# who waits on what and halts with a failure status.
@0xc0f5d2a97e4b1863;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "stall",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "echo", elf = embed "/echo"),
    (name = "echo-client", elf = embed "/echo_client"),
    (name = "waiter", elf = embed "/waiter"),
  ],
  init = "init",
  services = [
    ( name = "echo", binary = "echo", grants = [.console],
      exports = [(name = "echo", interfaceId = 0xea2aba749c55a0b7)] ),
    ( name = "client", binary = "echo-client", argv = ["client", "1"],
      grants = [.console,
                (name = "echo", source = (export = (service = "echo", export = "echo", badge = 1)))] ),
    ( name = "parker", binary = "waiter", argv = ["parker", "park"],
      grants = [.console, (name = "park", source = (kernel = (kind = parkSpace)))] ),
  ],
);
