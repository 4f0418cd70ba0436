# Smoke test: the tally example service (user/services/tally.c) on the
# generated RPC layer, and a client that names good and bad arguments
# (user/demos/tally_client.c).  The server's refusals name the field.
@0x94c3cb2e6f902c45;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "tally",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "tally", elf = embed "/tally"),
    (name = "tally-client", elf = embed "/tally_client"),
  ],
  init = "init",
  services = [
    ( name = "tally", binary = "tally", argv = ["tally", "8"], grants = [.console],
      exports = [(name = "tally", interfaceId = 0xa33098dd91aba001)] ),
    ( name = "tally-client", binary = "tally-client",
      grants = [.console,
                (name = "entropy", source = (kernel = (kind = entropy))),
                (name = "tally", source = (export = (service = "tally", export = "tally")))] ),
  ],
);
