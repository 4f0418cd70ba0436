# Names must be printable ASCII: a tab is refused, and shown escaped.
@0xb35f3c7b373bafe8;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  endpoints = ["bus\t"] );
