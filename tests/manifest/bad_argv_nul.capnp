# argv entries become C strings, so they cannot contain NUL bytes.
@0xfb8dc81383a285b9;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      argv = ["s", "a\x00b"] ) ] );
