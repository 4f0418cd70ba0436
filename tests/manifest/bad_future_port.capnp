# A console port this schema does not know (from a newer schema) is refused.
@0xd4c1a2b3e5f60718;

using Future = import "future.capnp";

const manifest :Future.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "out", source = (kernel = (kind = console, port = com4))) ] ) ] );
