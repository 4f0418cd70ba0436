# An imported export must exist in the named service.
@0xb4258919321034d7;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "logger",
      binary = "init",
      exports = [(name = "log")] ),
    ( name = "echo",
      binary = "init",
      grants = [(name = "log", source = (export = (service = "logger", export = "out")))] ) ] );
