# A grant must say where its capability comes from; an unset union must not
# default to its first member (a console).
@0xf292e9ae8ab722ef;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "g") ] ) ] );
