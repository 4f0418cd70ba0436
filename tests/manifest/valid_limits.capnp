# Every value at the edge of what the default limits accept: 31-byte names
# (the binary's name is every ASCII punctuation character but '/'),
# memoryLimit at the 1 GiB ceiling, maxRestarts and backoffMs at their
# ceilings, the largest badge and interface id, an empty argv entry and an
# env entry with an empty value.
@0xb8d4e2f6a1c35079;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~", elf = embed "/tiny.elf")],
  init = "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~",
  endpoints = ["ENDPOINT_0123456789_abcdefghijk"],
  services = [
    ( name = "server-with-a-31-byte-long-name",
      binary = "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~",
      exports = [(name = "export-with-a-31-byte-long-name", interfaceId = 0xffffffffffffffff)],
      restart = (mode = onFailure, maxRestarts = 1000, backoffMs = 60000) ),
    ( name = "client",
      binary = "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~",
      grants = [
        (name = "mem", source = (kernel = (kind = virtualMemory, memoryLimit = 1073741824))),
        (name = "e", source = (export = (service = "server-with-a-31-byte-long-name",
                                         export = "export-with-a-31-byte-long-name",
                                         badge = 0xffffffffffffffff))),
        (name = "c", source = (endpoint = (name = "ENDPOINT_0123456789_abcdefghijk",
                                           role = client, badge = 0xffffffffffffffff))) ],
      restart = (mode = always),
      argv = [""],
      env = ["K="] ) ] );
