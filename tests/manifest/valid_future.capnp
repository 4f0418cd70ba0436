# A manifest written against future.capnp (a later schema revision) that uses
# only what this schema knows: it must validate, which shows that future.capnp
# has the same wire layout as schema/capos.capnp.
@0xc7e5a3f1b9d24680;

using Future = import "future.capnp";

const manifest :Future.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  endpoints = ["bus"],
  services = [
    ( name = "a",
      binary = "init",
      grants = [
        (name = "spawn", source = (kernel = (kind = processSpawner, allowedBinaries = ["init"]))),
        (name = "mem", source = (kernel = (kind = virtualMemory, memoryLimit = 8192))),
        (name = "bus", source = (endpoint = (name = "bus", role = client, badge = 9))) ],
      exports = [(name = "out", interfaceId = 5)],
      restart = (mode = always, maxRestarts = 2, backoffMs = 10),
      argv = ["a"],
      env = ["X=1"] ),
    ( name = "b",
      binary = "init",
      grants = [
        (name = "console", source = (kernel = (kind = console, writeOnly = true))),
        (name = "a", source = (export = (service = "a", export = "out", badge = 1))),
        (name = "bus", source = (endpoint = (name = "bus", role = server))) ] ) ] );
