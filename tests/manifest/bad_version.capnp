# formatVersion must be 1.
@0xb001cd505d3747eb;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 2,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init" );
