# Smoke test: hostile CPU state across kernel entry and exit
# (user/tests/entry_hostile.c).  The program starts copies of itself, one per
# attack, next to bystanders that must finish correctly, so it holds an
# unrestricted spawner.
@0xda36b692deac007e;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "entry-hostile",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "entry_hostile", elf = embed "/entry_hostile"),
  ],
  init = "init",
  services = [
    ( name = "entry-hostile", binary = "entry_hostile",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "timer", source = (kernel = (kind = timer))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
      ] ),
  ],
);
