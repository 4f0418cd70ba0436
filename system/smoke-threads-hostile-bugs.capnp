# Reproductions of known defects around threads and spawning
# (user/tests/threads_hostile_bugs.c).  Its cases fail while the defects
# exist, so this system is not among the default smokes; boot it with
#   python3 tools/qemu.py --kernel build/kernel/capos32.elf \
#       --module build/system/smoke-threads-hostile-bugs.bin --smp 4
@0xc5e1b8a3f2d47096;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "threads-hostile-bugs",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "threads_hostile_bugs", elf = embed "/threads_hostile_bugs"),
  ],
  init = "init",
  services = [
    ( name = "threads-hostile-bugs", binary = "threads_hostile_bugs",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
      ] ),
  ],
);
