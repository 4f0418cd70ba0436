# Smoke test: init's restart policies.  crasher fails every time and is
# restarted up to its limit; faulter dies of a page fault; hello exits 0 and
# is not restarted (onFailure) while twice (always, limit 1) runs twice.
@0xc44a5dea11e299bf;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "supervisor",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "crasher", elf = embed "/crasher"),
    (name = "faulter", elf = embed "/faulter"),
    (name = "hello", elf = embed "/hello"),
  ],
  init = "init",
  services = [
    ( name = "crasher", binary = "crasher", grants = [.console],
      restart = (mode = onFailure, maxRestarts = 3, backoffMs = 10) ),
    ( name = "faulter", binary = "faulter", grants = [.console],
      restart = (mode = onFailure, maxRestarts = 1, backoffMs = 5) ),
    ( name = "steady", binary = "hello", grants = [.console],
      restart = (mode = onFailure, maxRestarts = 5, backoffMs = 5) ),
    ( name = "twice", binary = "hello", grants = [.console],
      restart = (mode = always, maxRestarts = 1, backoffMs = 5) ),
  ],
);
