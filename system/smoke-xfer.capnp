# Smoke test: the capability-transfer failure matrix.  The client (xfer)
# imports the peer's export "ctl" with badge 7; both may create endpoints,
# and the client starts short-lived receivers of its own (xfer_peer in other
# roles), so both hold an unrestricted spawner.
@0xb7c1e0c5a4f3d219;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const spawner :Capos.Grant = (name = "spawner", source = (kernel = (kind = processSpawner)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "xfer",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "xfer", elf = embed "/xfer"),
    (name = "xfer_peer", elf = embed "/xfer_peer"),
  ],
  init = "init",
  services = [
    (name = "xfer-peer", binary = "xfer_peer", grants = [.console, .spawner],
     exports = [(name = "ctl")], argv = ["xfer_peer", "server"]),
    (name = "xfer", binary = "xfer",
     grants = [.console, .spawner,
               (name = "peer", source = (export = (service = "xfer-peer", export = "ctl", badge = 7)))]),
  ],
);
