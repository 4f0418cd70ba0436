# Badges identify clients to the server; a server-role grant with a badge is
# a mistake.
@0xc9358e629d85a518;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  endpoints = ["bus"],
  services = [
    ( name = "s",
      binary = "init",
      grants = [(name = "bus", source = (endpoint = (name = "bus", role = server, badge = 5)))] ) ] );
