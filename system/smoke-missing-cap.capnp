# Smoke test: a program looks up a capability its manifest entry does not grant.
# "needcap" needs a Timer named "timer": "missing" is granted only a
# console, "wrongkind" a "timer" that is an EntropySource, and "granted" the
# real thing.  The runtime names what is wrong in one line and ends the
# first two with status 125; init reports them as failed and the run fails.
@0xe8d6a1c47b3f2905;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "missing-cap",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "needcap", elf = embed "/needcap"),
  ],
  init = "init",
  services = [
    ( name = "missing", binary = "needcap", grants = [.console] ),
    ( name = "wrongkind", binary = "needcap",
      grants = [.console, (name = "timer", source = (kernel = (kind = entropy)))] ),
    ( name = "granted", binary = "needcap",
      grants = [.console, (name = "timer", source = (kernel = (kind = timer)))] ),
  ],
);
