# A service that is never restarted cannot have a restart delay.
@0xa012e1140d3b8b03;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      restart = (mode = never, backoffMs = 100) ) ] );
