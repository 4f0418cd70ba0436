# The system `make run` boots.
@0x96a283d78c8343d2;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "capOS default system",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "hello", elf = embed "/hello"),
  ],
  init = "init",
  services = [
    ( name = "hello",
      binary = "hello",
      grants = [ (name = "console", source = (kernel = (kind = console))) ],
      restart = (mode = never) ),
  ],
);
