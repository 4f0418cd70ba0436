# backoffMs must not exceed the ceiling (60000 by default).
@0xd68c1d387fd74f04;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      restart = (mode = always, backoffMs = 60001) ) ] );
