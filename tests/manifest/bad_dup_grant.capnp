# Grant names are unique within a service.
@0xc74596fad066398a;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "console", source = (kernel = (kind = console, writeOnly = true))) ] ) ] );
