# Endpoint names are unique.
@0xe2a2e00eb6943040;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  endpoints = ["bus", "bus"] );
