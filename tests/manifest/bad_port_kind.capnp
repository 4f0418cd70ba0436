# port is only meaningful for console.
@0xe7a9c3b1d2f40516;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "timer", source = (kernel = (kind = timer, port = com2))) ] ) ] );
