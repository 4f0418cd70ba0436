# capOS system schema: the ABI between the kernel, services and programs.
#
# Every capability a process can hold implements one interface below; every
# CALL names an interface id and a method ordinal from here, and carries its
# parameters as a Cap'n Proto message of the method's parameter struct. A
# call completes with an ErrorCode (see the ring ABI) and, on success, a
# message of the method's result struct. Capabilities passed in a message are
# Cap'n Proto capability pointers that index the call's transfer list (see
# docs/ipc.md); a method that takes or returns capabilities says so.
#
# The boot manifest (SystemManifest) is also defined here: the kernel boots
# from exactly one binary SystemManifest, produced from system/*.capnp with
# `capnp eval -b`.
#
# C bindings are generated into gen/ by tools/capnpc-c; `make check-gen`
# fails if gen/ does not match this file.

@0xf26a89be99a012a6;

# ---------------------------------------------------------------------------
# Errors

enum ErrorCode {
  # The one error space shared by the kernel and userspace. A completion's
  # result field holds one of these; `ok` means the result message (if any) is
  # valid. Numeric values are ABI: never renumber, only append.
  ok @0;
  invalidCap @1;        # cap id is 0, out of range, or was never issued
  staleCap @2;          # cap id names a released or since-reused slot
  capBusy @3;           # the capability is reserved by a move in flight
  wrongInterface @4;    # the call's interface id is not the object's
  unknownMethod @5;     # no such method ordinal on this interface
  invalidArgument @6;   # parameters malformed or out of range
  badAddress @7;        # a buffer is not valid, mapped user memory
  noMemory @8;          # the kernel could not allocate memory
  quotaExceeded @9;     # a per-process quota (frames, caps, calls) is used up
  tableFull @10;        # the receiving capability table has no free slot
  resultTooLarge @11;   # the result does not fit the result buffer
  unsupported @12;      # the hardware or this build cannot do it
  notFound @13;         # a named thing (binary, service, export) does not exist
  peerGone @14;         # the other side of an endpoint went away
  timedOut @15;         # the wait ended at its timeout
  cancelled @16;        # the operation was cancelled (e.g. its process is exiting)
  tooManyCaps @17;      # a message carries more capabilities than allowed
  notPermitted @18;     # this capability (facet, wrapper) does not allow it
  invalidOpcode @19;    # unknown ring opcode, flag bit or non-zero reserved field
  alreadyExists @20;    # the thing to create exists
  exhausted @21;        # a resource other than memory ran out (e.g. entropy)
}

# ---------------------------------------------------------------------------
# Boot manifest

struct SystemManifest {
  # The whole system as the kernel receives it. The kernel validates all of it
  # before acting on any part, starts `init` with a BootPackage and a
  # ProcessSpawner, and init starts `services` in dependency order.
  formatVersion @0 :UInt32;      # must be 1
  name @1 :Text;                 # human-readable system name
  binaries @2 :List(Binary);     # every program the system can run
  init @3 :Text;                 # binary the kernel starts as init
  services @4 :List(Service);    # what init starts
  endpoints @5 :List(Text);      # named endpoints services share (see Grant.endpoint)
}

struct Binary {
  # A program: a static ELF64 x86_64 executable, embedded whole.
  name @0 :Text;
  elf @1 :Data;
}

struct Service {
  name @0 :Text;                 # unique among services
  binary @1 :Text;               # a Binary.name
  grants @2 :List(Grant);        # exactly the capabilities it starts with
  exports @3 :List(Export);      # endpoints it serves to other services
  restart @4 :RestartPolicy;
  argv @5 :List(Text);           # argv[0] first; empty means [name]
  env @6 :List(Text);            # KEY=value strings
}

struct Grant {
  # One capability in a new process's CapSet, under `name`.
  name @0 :Text;
  source :union {
    kernel @1 :KernelCap;        # a fresh kernel object
    export @2 :ExportRef;        # a client facet of another service's export
    endpoint @3 :EndpointRef;    # a named endpoint from SystemManifest.endpoints
  }
}

struct KernelCap {
  # Kernel objects a manifest can grant, with the parameters that bound them.
  kind @0 :KernelCapKind;
  memoryLimit @1 :UInt64;
    # VirtualMemory: the frame quota in bytes (0 = the kernel's default).
  writeOnly @2 :Bool;
    # Console: true grants a write-only wrapper (no reads, when reading exists).
  allowedBinaries @3 :List(Text);
    # ProcessSpawner: if non-empty, a restricted launcher that may start only
    # these binaries.
}

enum KernelCapKind {
  console @0;
  timer @1;
  entropy @2;
  virtualMemory @3;
  bootPackage @4;
  processSpawner @5;
}

struct ExportRef {
  service @0 :Text;              # the exporting service
  export @1 :Text;               # Export.name within it
  badge @2 :UInt64;              # delivered with each call made through this grant
}

struct EndpointRef {
  name @0 :Text;                 # a SystemManifest.endpoints entry
  role @1 :EndpointRole;
  badge @2 :UInt64;              # for the client role
}

enum EndpointRole {
  client @0;                     # may CALL
  server @1;                     # may RECV and RETURN
}

struct Export {
  # An endpoint a service serves. The service receives the server side in its
  # CapSet under `name`; importers receive client facets.
  name @0 :Text;
  interfaceId @1 :UInt64;        # protocol spoken over it (0 = unspecified)
}

struct RestartPolicy {
  mode @0 :RestartMode;
  maxRestarts @1 :UInt32;        # restarts allowed before giving up
  backoffMs @2 :UInt32;          # delay before the first restart; doubles each time
}

enum RestartMode {
  never @0;
  onFailure @1;                  # restart when the exit status is not 0
  always @2;
}

# ---------------------------------------------------------------------------
# Kernel capabilities

interface Console {
  # The system console (serial line).
  write @0 (data :Data) -> ();
    # Writes bytes as they are. Errors: invalidArgument if longer than 4096.
  writeLine @1 (text :Text) -> ();
    # Writes text followed by a newline. Errors: invalidArgument if longer
    # than 4096 bytes.
}

interface Timer {
  # Monotonic time.
  now @0 () -> (ns :UInt64);
    # Nanoseconds since boot; never goes backwards.
  sleep @1 (ns :UInt64) -> ();
    # Completes after at least `ns` nanoseconds. Errors: cancelled if the
    # caller exits first.
}

interface EntropySource {
  # Hardware randomness (RDSEED, else RDRAND).
  fill @0 (len :UInt32) -> (bytes :Data);
    # Returns exactly `len` random bytes. Errors: invalidArgument if len is 0
    # or above 256; unsupported if the CPU has neither instruction; exhausted
    # if the hardware keeps failing to deliver.
}

interface VirtualMemory {
  # One process's address space (the process the capability was created
  # for, whoever holds it): anonymous memory, charged to that process's frame
  # quota. A limited facet (from `limit`) may in addition map no more than
  # its own budget.
  map @0 (addr :UInt64, len :UInt64, prot :UInt32) -> (addr :UInt64);
    # Maps `len` bytes (a multiple of 4096) of zeroed memory with `prot`
    # (bits: 1 read, 2 write, 4 exec; readable always; write together with
    # exec is refused). `addr` 0 lets the kernel choose; otherwise it must be
    # page-aligned, in the user range and not overlap an existing mapping.
    # Frames are allocated at once, so every mapped page counts against the
    # quota from the start. Errors: invalidArgument, alreadyExists (overlap),
    # quotaExceeded (process quota or facet budget), noMemory, peerGone (the
    # process has exited).
  unmap @1 (addr :UInt64, len :UInt64) -> ();
    # Unmaps [addr, addr+len), which must lie wholly in memory mapped through
    # VirtualMemory (never the program image, stack, ring or CapSet); the
    # frames return to the quota and to the budget they were charged to.
    # Errors: invalidArgument, notFound.
  protect @2 (addr :UInt64, len :UInt64, prot :UInt32) -> ();
    # Changes protection of such memory. Errors: as for map and unmap.
  quota @3 () -> (limit :UInt64, used :UInt64);
    # This facet's limit and use, in bytes: the process's frame quota for an
    # unlimited facet, the budget for a limited one.
  limit @4 (bytes :UInt64) -> (memory :Capability);
    # A facet of the same address space that may map at most `bytes` (a
    # multiple of 4096, and at most what this facet may still map). Errors:
    # invalidArgument.
}

interface BootPackage {
  # Read access to the boot manifest.
  size @0 () -> (bytes :UInt64);
    # Size of the manifest in bytes.
  read @1 (offset :UInt64, len :UInt32) -> (data :Data);
    # Up to `len` bytes (at most 32768) from `offset`. Errors: invalidArgument
    # if offset is past the end.
}

# ---------------------------------------------------------------------------
# Processes and endpoints

interface Endpoint {
  # A rendezvous between clients and the server that receives on it.
  #
  # An endpoint has two kinds of capability (facets). A client facet accepts
  # CALLs of any interface and method except this one: they are the server's
  # protocol, not the kernel's, and are delivered to a RECV posted on the
  # server facet together with the client facet's badge. The server facet
  # accepts RECV and RETURN, and CALLs of the methods below. A client facet
  # cannot receive, return or mint; that is the attenuation.
  mintClient @0 (badge :UInt64) -> (client :Capability);
    # A new client facet of this endpoint carrying `badge`. Errors:
    # notPermitted on a client facet (only the server may mint badges).
}

interface ProcessSpawner {
  # Starts processes from the binaries in the boot manifest.
  spawn @0 (binary :Text, name :Text, grants :List(SpawnGrant),
            argv :List(Text), env :List(Text)) -> (handle :Capability);
    # Starts `binary` as a process named `name`, with exactly the listed
    # grants: each SpawnGrant either names a capability transferred with this
    # call (copy or move, chosen by the caller's transfer descriptor) or asks
    # the spawner to create a kernel object for the child. Nothing is
    # inherited implicitly. Every transferred capability must be named by
    # exactly one grant. Returns a handle for waiting or killing.
    # Errors: notFound (binary), notPermitted (restricted launcher: binary not
    # allowed, or a kernel grant), tooManyCaps, invalidArgument (names, argv,
    # an unnamed or twice-named transferred capability), noMemory,
    # quotaExceeded.
  createEndpoint @1 () -> (server :Capability, client :Capability);
    # Creates an endpoint; returns its server facet and one client facet with
    # badge 0.
  restrict @2 (allowed :List(Text)) -> (launcher :Capability);
    # A restricted launcher: a ProcessSpawner that may start only `allowed`
    # (a subset of what this one may start). Errors: notPermitted if a name is
    # not allowed here.
}

struct SpawnGrant {
  name @0 :Text;                 # CapSet name in the child
  union {
    cap @1 :Capability;          # transferred with the spawn call
    kernel @2 :KernelCap;        # created by the spawner for the child
  }
  interfaceId @3 :UInt64;
    # Interface id recorded in the child's CapSet for a transferred endpoint
    # client (the protocol spoken over it); ignored for other capabilities,
    # whose interface the kernel knows.
}

interface ProcessHandle {
  # A started process.
  wait @0 () -> (status :ExitStatus);
    # Completes when the process has exited, with its status.
  kill @1 () -> ();
    # Terminates the process (status killed). Idempotent.
}

struct ExitStatus {
  union {
    exited @0 :Int32;            # exit(code)
    killed @1 :Void;             # ProcessHandle.kill
    faulted @2 :Fault;           # the kernel stopped it
  }
}

struct Fault {
  vector @0 :UInt8;              # CPU exception vector, or 255 for a kernel-detected misbehaviour
  address @1 :UInt64;            # faulting address (page faults) or instruction pointer
  reason @2 :Text;
}

# ---------------------------------------------------------------------------
# Service protocols of the demo system
#
# These interfaces are spoken between processes over endpoints; the kernel
# only carries them.

interface Echo {
  # Echoes text back, saying which client (badge) asked.
  echo @0 (text :Text) -> (text :Text, badge :UInt64);
}

interface Printer {
  # Prints through a Console capability that a client hands over.
  attach @0 (console :Capability) -> ();
    # Keeps `console` (transferred with the call) for later prints.
  print @1 (text :Text) -> ();
    # Prints through the attached console. Errors: notFound if none attached.
}
