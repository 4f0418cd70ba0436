# Names must not be empty.
@0xfad0fea86a418402;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf"), (name = "", elf = embed "/tiny.elf")],
  init = "init" );
