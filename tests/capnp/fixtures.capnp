# Messages for the capnp host tests written as constants, compiled with
# `capnp eval -b` at build time (tests/capnp/capnp.mk).  The rest of the
# fixtures are text files under fixtures/, compiled with `capnp convert`.
@0xccd18b344417918c;

using W = import "wiretest.capnp";
using Capos = import "../../schema/capos.capnp";

# A constant built from other constants.
const shapeFromConsts :W.Shape = (name = .W.greeting, label = .W.greeting);

# A small boot manifest through the system schema's own bindings.
const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "fixture",
  binaries = [(name = "init", elf = 0x"7f 45 4c 46 02 01 01 00")],
  init = "init",
  services = [
    ( name = "echo",
      binary = "init",
      grants = [
        (name = "console", source = (kernel = (kind = console, writeOnly = true))),
        (name = "peer", source = (endpoint = (name = "bus", role = server))),
        (name = "log", source = (export = (service = "logger", export = "log", badge = 42)))],
      restart = (mode = onFailure, maxRestarts = 3, backoffMs = 100),
      argv = ["echo", "-v"],
      env = ["A=1"] )],
  endpoints = ["bus"] );
