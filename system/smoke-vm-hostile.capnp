# Smoke test: VirtualMemory under hostile sizes, racing threads and dying
# processes (user/tests/vm_hostile.c).  The program starts copies of itself
# as children, so it holds a spawner; its own quota (96 MiB) leaves room for
# the 24 and 32 MiB mappings some cases fill.  stack_note and
# stack_note_bad_bare are the children of its stack-note case.
@0xc3e1d0a9b8f74265;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "vm-hostile",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "vm_hostile", elf = embed "/vm_hostile"),
    (name = "stack_note", elf = embed "/stack_note"),
    (name = "stack_note_bad_bare", elf = embed "/stack_note_bad_bare"),
  ],
  init = "init",
  services = [
    ( name = "vm-hostile", binary = "vm_hostile",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 100663296))),
        (name = "threads", source = (kernel = (kind = threadSpawner))),
        (name = "park", source = (kernel = (kind = parkSpace))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
      ] ),
  ],
);
