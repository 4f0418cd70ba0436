# maxRestarts must not exceed the ceiling (1000 by default).
@0x893e6c6787ab4580;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      restart = (mode = onFailure, maxRestarts = 1001) ) ] );
