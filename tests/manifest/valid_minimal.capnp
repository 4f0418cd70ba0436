# The smallest valid manifest: one binary, which the kernel starts as init,
# and no services, endpoints or system name.
@0xa3c1b6f0d2e94857;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init" );
