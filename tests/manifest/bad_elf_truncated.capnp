# Every binary must pass the ELF loader checks: this one is shorter than an
# ELF header.
@0xfd2620821465ca4a;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = "not an ELF file")],
  init = "init" );
