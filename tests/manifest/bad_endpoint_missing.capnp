# An endpoint grant must name an entry of the endpoints list.
@0xa61a45646683eca4;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  endpoints = ["bus"],
  services = [
    ( name = "s",
      binary = "init",
      grants = [(name = "bus", source = (endpoint = (name = "nope", role = client)))] ) ] );
