# env entries are KEY=value.
@0x8543668228dc77d7;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      env = ["A=1", "PATH"] ) ] );
