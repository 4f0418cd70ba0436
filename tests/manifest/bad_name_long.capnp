# Names hold at most 31 bytes (they are copied into 32-byte fields); this
# service name has 32.
@0xd99c49d9355546e8;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "service-name-that-is-32-bytes-xx",
      binary = "init",
   ) ] );
