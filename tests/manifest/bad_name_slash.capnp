# Names must not contain '/'.
@0xdd84dee5a535932a;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      exports = [(name = "a/b")] ) ] );
