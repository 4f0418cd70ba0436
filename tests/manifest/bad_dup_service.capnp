# Service names are unique.
@0x8db49466164610f3;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [(name = "s", binary = "init"), (name = "s", binary = "init")] );
