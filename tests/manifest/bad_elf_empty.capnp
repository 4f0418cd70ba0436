# A binary without an image is refused.
@0xf90e4e0a3f1fbe18;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init")],
  init = "init" );
