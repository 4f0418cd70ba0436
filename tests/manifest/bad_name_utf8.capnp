# Names must be ASCII: UTF-8 beyond ASCII is refused at its first byte.
@0xd04ee79a263dc736;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf"), (name = "café", elf = embed "/tiny.elf")],
  init = "init" );
