# Smoke test: both IPC paths.  The echo server starts serving 300 ms late,
# so the clients' first calls wait in the endpoint's queue; later calls find
# it waiting.  (The delay is generous: under TCG on a busy host, starting the
# three clients can take tens of milliseconds.)
@0x9e637f84ef885fee;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "ipc paths",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "echo", elf = embed "/echo"),
    (name = "echo-client", elf = embed "/echo_client"),
  ],
  init = "init",
  services = [
    ( name = "echo", binary = "echo", argv = ["echo", "9", "300"],
      grants = [.console, (name = "timer", source = (kernel = (kind = timer)))],
      exports = [(name = "echo", interfaceId = 0xea2aba749c55a0b7)] ),
    ( name = "one", binary = "echo-client", argv = ["one", "11"],
      grants = [.console, (name = "echo", source = (export = (service = "echo", export = "echo", badge = 11)))] ),
    ( name = "two", binary = "echo-client", argv = ["two", "22"],
      grants = [.console, (name = "echo", source = (export = (service = "echo", export = "echo", badge = 22)))] ),
    ( name = "three", binary = "echo-client", argv = ["three", "33"],
      grants = [.console, (name = "echo", source = (export = (service = "echo", export = "echo", badge = 33)))] ),
  ],
);
