# Smoke test: the file service (user/services/filesrv.c) and its clients:
# user/tests/files.c exercises File and Directory through the generated
# stubs, and Store and Namespace through the same export (the manifest
# badges 2^62 and 2^61 name them), user/tests/files_quitter.c exits with
# calls in flight, and user/tests/files.c spawns two
# user/tests/files_writer.c that write one file at once.
@0xb5b64e43b366d7bb;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const timer :Capos.Grant = (name = "timer", source = (kernel = (kind = timer)));
const root :Capos.Grant =
  (name = "root", source = (export = (service = "filesrv", export = "files")));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "files",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "filesrv", elf = embed "/filesrv"),
    (name = "files", elf = embed "/files"),
    (name = "files-quitter", elf = embed "/files_quitter"),
    (name = "files-writer", elf = embed "/files_writer"),
  ],
  init = "init",
  services = [
    ( name = "filesrv", binary = "filesrv", argv = ["filesrv", "4194304", "1024", "77"],
      grants = [.console, .timer,
                (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 33554432)))],
      exports = [(name = "files", interfaceId = 0x9477931dead40130)] ),
    ( name = "files", binary = "files",
      grants = [.console, .timer, .root,
                (name = "spawner", source = (kernel = (kind = processSpawner))),
                (name = "store", source = (export = (service = "filesrv", export = "files",
                                                     badge = 0x4000000000000000))),
                (name = "names", source = (export = (service = "filesrv", export = "files",
                                                     badge = 0x2000000000000000))),
                (name = "stop", source = (export = (service = "filesrv", export = "files",
                                                    badge = 77)))] ),
    ( name = "files-quitter", binary = "files-quitter", grants = [.console, .root] ),
  ],
);
