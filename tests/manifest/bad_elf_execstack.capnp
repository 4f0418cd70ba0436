# Every binary must pass the ELF loader checks: this one asks for an
# executable stack (program header 1).
@0xad1b42332c0c4611;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf"), (name = "bad", elf = embed "/execstack.elf")],
  init = "init" );
