# Smoke test: the file service crashing under its restart policy
# (user/tests/files_restart.c).  filesrv's environment names the crash
# badge (66); init restarts it once, on the same endpoint.
@0xd1f0c3a2b5e49187;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "files-restart",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "filesrv", elf = embed "/filesrv"),
    (name = "files-restart", elf = embed "/files_restart"),
  ],
  init = "init",
  services = [
    ( name = "filesrv", binary = "filesrv", argv = ["filesrv", "1048576", "256", "77"],
      env = ["FILESRV_CRASH=66"],
      grants = [(name = "console", source = (kernel = (kind = console))),
                (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 16777216)))],
      exports = [(name = "files", interfaceId = 0x9477931dead40130)],
      restart = (mode = onFailure, maxRestarts = 1, backoffMs = 10) ),
    ( name = "files-restart", binary = "files-restart",
      grants = [(name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "root", source = (export = (service = "filesrv", export = "files"))),
                (name = "crash", source = (export = (service = "filesrv", export = "files",
                                                     badge = 66))),
                (name = "stop", source = (export = (service = "filesrv", export = "files",
                                                    badge = 77)))] ),
  ],
);
