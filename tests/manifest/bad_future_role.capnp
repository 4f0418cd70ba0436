# An endpoint role this schema does not know (from a newer schema) is
# refused.
@0x8a21cda16d9505cc;

using Future = import "future.capnp";

const manifest :Future.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  endpoints = ["bus"],
  services = [
    ( name = "s",
      binary = "init",
      grants = [(name = "bus", source = (endpoint = (name = "bus", role = observer)))] ) ] );
