# Binary names are unique.
@0xea002d55c3665fb9;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf"), (name = "other", elf = embed "/tiny.elf"), (name = "init", elf = embed "/tiny.elf")],
  init = "init" );
