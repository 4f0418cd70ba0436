# The capOS benchmark system: the benchmark program and its IPC server.
@0xb7465d24c68537c8;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "bench",
  binaries = [ (name = "init", elf = embed "/init"), (name = "bench", elf = embed "/bench"),
               (name = "ipcsrv", elf = embed "/ipcsrv") ],
  init = "init",
  services = [
    ( name = "ipcsrv", binary = "ipcsrv",
      grants = [ (name = "console", source = (kernel = (kind = console))) ],
      exports = [ (name = "ipc") ] ),
    ( name = "bench", binary = "bench",
      grants = [ (name = "console", source = (kernel = (kind = console))),
                 (name = "timer", source = (kernel = (kind = timer))),
                 (name = "ipc", source = (export = (service = "ipcsrv", export = "ipc"))) ] ),
  ],
);
