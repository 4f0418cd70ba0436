# The default system: an echo server and its clients, a printer, and hello.
# `make run` boots it: init starts an echo server with two badged clients, a
# printer that receives its console from its client, and hello.
@0x96a283d78c8343d2;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "capOS default system",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "hello", elf = embed "/hello"),
    (name = "echo", elf = embed "/echo"),
    (name = "echo-client", elf = embed "/echo_client"),
    (name = "printer", elf = embed "/printer"),
    (name = "printer-client", elf = embed "/printer_client"),
  ],
  init = "init",
  services = [
    ( name = "hello", binary = "hello", grants = [.console] ),
    ( name = "echo", binary = "echo", argv = ["echo", "6"],
      grants = [.console],
      exports = [(name = "echo", interfaceId = 0xea2aba749c55a0b7)] ),
    ( name = "alice", binary = "echo-client", argv = ["alice", "1"],
      grants = [.console,
                (name = "echo", source = (export = (service = "echo", export = "echo", badge = 1)))] ),
    ( name = "bob", binary = "echo-client", argv = ["bob", "2"],
      grants = [.console,
                (name = "echo", source = (export = (service = "echo", export = "echo", badge = 2)))] ),
    ( name = "printer", binary = "printer",
      exports = [(name = "printer", interfaceId = 0x9f414e7a6bedb4d6)] ),
    ( name = "printer-client", binary = "printer-client",
      grants = [.console,
                (name = "printer", source = (export = (service = "printer", export = "printer")))] ),
  ],
);
