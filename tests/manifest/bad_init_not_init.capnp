# init must name an init program: a binary without the capOS init note
# (here the tiny program built without it) is refused.
@0xd3a91f0c7e2b5486;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf"), (name = "hello", elf = embed "/plain.elf")],
  init = "hello" );
