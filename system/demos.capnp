# The demos: an echo server and its clients, a printer, hello, and the file service with the boot root tree.
# `make run SYSTEM=demos` boots it: init starts an echo server with two badged clients, a
# printer that receives its console from its client, hello, and the file
# service, which loads the root tree built from system/default.tree
# (docs/storage.md); roottree shows the tree through its "root" Directory
# and then ends the file service through "stop".
@0x96a283d78c8343d2;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "capOS demos",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "hello", elf = embed "/hello"),
    (name = "echo", elf = embed "/echo"),
    (name = "echo-client", elf = embed "/echo_client"),
    (name = "printer", elf = embed "/printer"),
    (name = "printer-client", elf = embed "/printer_client"),
    (name = "filesrv", elf = embed "/filesrv"),
    (name = "roottree", elf = embed "/roottree"),
  ],
  rootTree = embed "/default.tree",
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
    ( name = "filesrv", binary = "filesrv", argv = ["filesrv", "16777216", "4096", "99"],
      grants = [.console, (name = "timer", source = (kernel = (kind = timer))),
                (name = "boot", source = (kernel = (kind = bootPackage))),
                (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 33554432)))],
      exports = [(name = "files", interfaceId = 0x9477931dead40130)] ),
    ( name = "roottree", binary = "roottree",
      grants = [.console,
                (name = "root", source = (export = (service = "filesrv", export = "files"))),
                (name = "stop", source = (export = (service = "filesrv", export = "files",
                                                    badge = 99)))] ),
  ],
);
