# A valid manifest that uses every field the schema offers: four binaries,
# two shared endpoints, every kernel capability kind, imports of other
# services' exports with badges, both endpoint roles, all three restart
# modes, argv and env.  Services are listed before the services they import
# from, so the start order differs from the manifest order:
#   shell imports from echo and logger, echo imports from logger,
#   so the order is logger, echo, shell, idle.
@0xeedf5afaaa905554;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "capOS test system",
  binaries = [
    (name = "init", elf = embed "/tiny.elf"),
    (name = "logger", elf = embed "/tiny.elf"),
    (name = "echo", elf = embed "/tiny.elf"),
    (name = "shell", elf = embed "/tiny.elf") ],
  init = "init",
  endpoints = ["bus", "events"],
  services = [
    ( name = "shell",
      binary = "shell",
      grants = [
        (name = "console", source = (kernel = (kind = console))),
        (name = "echo", source = (export = (service = "echo", export = "echo", badge = 7))),
        (name = "log", source = (export = (service = "logger", export = "log", badge = 1))),
        (name = "spawn", source = (kernel = (kind = processSpawner,
                                             allowedBinaries = ["echo", "shell"]))),
        (name = "mem", source = (kernel = (kind = virtualMemory, memoryLimit = 16777216))),
        (name = "events", source = (endpoint = (name = "events", role = client, badge = 3))) ],
      restart = (mode = always, maxRestarts = 5, backoffMs = 250),
      argv = ["shell", "-i"],
      env = ["TERM=vt100", "HOME=/", "EMPTY="] ),
    ( name = "echo",
      binary = "echo",
      grants = [
        (name = "log", source = (export = (service = "logger", export = "log", badge = 2))),
        (name = "bus", source = (endpoint = (name = "bus", role = server))),
        (name = "timer", source = (kernel = (kind = timer))) ],
      exports = [(name = "echo", interfaceId = 0xd1a2b3c4e5f60718)],
      restart = (mode = onFailure, maxRestarts = 3, backoffMs = 100) ),
    ( name = "logger",
      binary = "logger",
      grants = [
        (name = "console", source = (kernel = (kind = console, writeOnly = true))),
        (name = "entropy", source = (kernel = (kind = entropy))),
        (name = "boot", source = (kernel = (kind = bootPackage))),
        (name = "spawner", source = (kernel = (kind = processSpawner))),
        (name = "events", source = (endpoint = (name = "events", role = server))) ],
      exports = [(name = "log", interfaceId = 0x9a8b7c6d5e4f3021), (name = "admin")],
      restart = (mode = never) ),
    ( name = "idle", binary = "init" ) ] );
