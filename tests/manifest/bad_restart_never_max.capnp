# A service that is never restarted cannot have a restart budget.
@0xed7f8311427cb06a;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      restart = (mode = never, maxRestarts = 3) ) ] );
