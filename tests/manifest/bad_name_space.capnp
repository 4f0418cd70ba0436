# Names must not contain spaces.
@0xe57ff56f54124079;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "my console", source = (kernel = (kind = console))) ] ) ] );
