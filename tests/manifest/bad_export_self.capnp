# A service cannot import its own export: it would have to start before
# itself.
@0x832517860052cc9d;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "me", source = (export = (service = "s", export = "out"))) ],
      exports = [(name = "out")] ) ] );
