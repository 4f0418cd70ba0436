# Differential test of the IPC fast path (user/tests/ipcdiff.c): booted once
# with the fast path and once with "ipcfast=0" by tests/qemu/smokes_diff.py,
# which requires both boots to print the same completion digests.  The
# program creates its endpoints, a server thread and a server child process
# itself.
@0xc7a1f36e29d8b054;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "ipcdiff",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "ipcdiff", elf = embed "/ipcdiff"),
  ],
  init = "init",
  services = [
    ( name = "ipcdiff", binary = "ipcdiff",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
      ] ),
  ],
);
