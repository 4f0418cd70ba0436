# A manifest without formatVersion reads it as 0, which is refused.
@0x86abef435dc5db94;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init" );
