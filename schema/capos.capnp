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

using C = import "capnpc-c.capnp";

# ---------------------------------------------------------------------------
# Errors

enum ErrorCode $C.macroPrefix("CAPOS_ERR_") {
  # The one error space shared by the kernel and userspace. A completion's
  # result field holds one of these; `ok` means the result message (if any) is
  # valid. Numeric values are ABI: never renumber, only append.
  ok @0 $C.macro("CAPOS_OK");
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
  wouldBlock @22;       # ParkSpace.wait: the word did not hold the expected value;
                        # a non-blocking pipe read or write that would wait
  notEmpty @23;         # a directory to remove or replace has entries
  notDirectory @24;     # a directory was needed and the node is not one
  isDirectory @25;      # a non-directory was needed and the node is a directory
  crossService @26;     # an object of another service (or of the kernel) was
                        # given where one of this service's own was needed
}

enum DetailKind $C.macroPrefix("CAPOS_DETAIL_") {
  # A completion also carries a 32-bit detail saying what exactly was wrong
  # when its result is an error (0 when there is nothing more to say). Its
  # top 8 bits are one of these, and say what the low 24 bits name.
  #
  # A field path names a field of a parameter or result struct, down to
  # three levels of nesting (a list's elements count as the list): byte i
  # (from the least significant) is the field's ordinal at level i plus 1,
  # 0 ends the path, and 255 stands for a field the decoder does not know
  # (something set beyond the fields of this schema, or an unknown union
  # member). A deeper field is reported as its third-level ancestor. Path 0
  # is the message as a whole: malformed framing or root, or a capability
  # sent with the call that no field names. Generated code has a constant
  # for each path and names it (docs/capnp.md).
  none @0;
  submission @1;   # the low bits are a SubmissionError
  params @2;       # the low bits are a field path in the call's parameters
  results @3;      # a field path in the result; set by client stubs that
                   # refuse a malformed result, never by the kernel
}

enum SubmissionError $C.macroPrefix("CAPOS_SQE_") {
  # Why the kernel refused a submission entry before looking at any
  # capability (the detail of such a completion; docs/ring-abi.md).
  none @0;
  unknownOpcode @1;     # invalidOpcode
  flags @2;             # invalidOpcode: a flag bit is set (none are defined)
  unusedField @3;       # invalidOpcode: a field the opcode does not use, or
                        # `reserved`, is not zero, or an address comes
                        # without a length
  tooLong @4;           # invalidArgument: a message or buffer above the limit
  tooManyCaps @5;       # tooManyCaps: more than 16 capabilities
}

# Protection bits of VirtualMemory.map and protect.
const protRead :UInt32 = 1 $C.macro("CAPOS_PROT_READ");
const protWrite :UInt32 = 2 $C.macro("CAPOS_PROT_WRITE");
const protExec :UInt32 = 4 $C.macro("CAPOS_PROT_EXEC");

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
  rootTree @6 :Data;             # a tree image (lib/fs/image.h) the file service loads
                                 # at start, read through a bootPackage grant; the kernel
                                 # and init do not look at it (docs/storage.md)
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
  endsSystem @7 :Bool;           # when it ends (and is not restarted), init
                                 # stops every other service and exits with
                                 # its status: a session, such as the
                                 # default system's shell
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
  maxWeight @4 :UInt32;
    # SchedulingPolicy: the largest weight it may set (0 = the kernel's
    # maximum, 65536).
  latency @5 :Bool;
    # SchedulingPolicy: whether it may put threads in the latency class.
  port @6 :ConsolePort;
    # Console: the serial line it writes to (default com1, the system
    # console).
}

enum ConsolePort {
  # The serial lines a Console capability can write to (docs/console.md).
  com1 @0;                       # the system console, shared with the kernel log;
                                 # "\n" goes out as CR LF
  com2 @1;                       # program output, byte for byte: nothing added or changed
  com3 @2;                       # as com2
}

enum KernelCapKind {
  console @0;
  timer @1;
  entropy @2;
  virtualMemory @3;
  bootPackage @4;
  processSpawner @5;
  threadSpawner @6;              # threads in the receiving process
  parkSpace @7;                  # a ParkSpace for the receiving process
  schedulingPolicy @8;           # bounded by maxWeight and latency
  pipeFactory @9;                # creates pipes, charged to the caller
  serialInput @10;               # bytes received on the system console (COM1)
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

const maxConsoleWrite :UInt32 = 4096;
  # The most bytes one Console.write or writeLine takes.

interface Console {
  # A serial line (KernelCap.port): the system console (com1) or a line
  # for one program's output (com2, com3).
  write @0 (data :Data $C.maxLen(.maxConsoleWrite)) -> ();
    # Writes bytes as they are (on com1 the UART sends "\n" as CR LF; com2
    # and com3 send every byte unchanged). Errors: invalidArgument if longer
    # than 4096; unsupported if the machine has no UART at this port
    # (nothing is written).
  writeLine @1 (text :Text $C.maxLen(.maxConsoleWrite)) -> ();
    # Writes text followed by a newline. Errors: invalidArgument if longer
    # than 4096 bytes; unsupported as for write.
}

interface Timer {
  # Clocks and sleeps: the monotonic clock (nanoseconds since boot, the
  # calibrated TSC), the wall clock (the CMOS real-time clock read at boot,
  # advanced by the monotonic clock), CPU time, and the clock page that
  # lets a process read the first two without a kernel call
  # (lib/abi/clock.h, docs/posix-kernel.md).
  now @0 () -> (ns :UInt64);
    # Nanoseconds since boot; never goes backwards.
  sleep @1 (ns :UInt64) -> ();
    # Completes after at least `ns` nanoseconds. Errors: cancelled if the
    # caller exits first.
  mapClock @2 () -> (addr :UInt64);
    # Maps the clock page (struct capos_clock_page, lib/abi/clock.h)
    # read-only into the caller's process and returns its address; every
    # later call from the same process returns the same address without
    # mapping anything. The page is one frame shared by every process; the
    # page tables it needs are charged to the caller's memory quota and
    # stay until the process ends. Errors: quotaExceeded or noMemory (the
    # page tables), peerGone (the process is exiting).
  wallClock @3 () -> (ns :UInt64);
    # REALTIME: nanoseconds since 1970-01-01 00:00:00 UTC, the real-time
    # clock read at boot plus the monotonic time since (the same value the
    # clock page gives). It moves with the monotonic clock and is never
    # set; it reads as the time since boot if the RTC could not be read.
  sleepUntil @4 (deadline :UInt64) -> ();
    # Completes once the monotonic clock (`now`) has reached `deadline`; at
    # once if it already has. Errors: cancelled if the caller exits first.
  cpuTime @5 () -> (thread :UInt64, process :UInt64);
    # CPU time in nanoseconds used by the calling thread, and by all
    # threads of its process together (those that have ended included),
    # up to this call.
}

const maxEntropyFill :UInt32 = 256;
  # The most bytes one EntropySource.fill returns.

interface EntropySource {
  # Hardware randomness (RDSEED, else RDRAND).
  fill @0 (len :UInt32 $C.min(1) $C.max(.maxEntropyFill))
      -> (bytes :Data $C.maxLen(.maxEntropyFill));
    # Returns exactly `len` random bytes. Errors: invalidArgument if len is 0
    # or above 256; unsupported if the CPU has neither instruction; exhausted
    # if the hardware keeps failing to deliver.
}

const maxSerialRead :UInt32 = 1024;
  # The most bytes one SerialInput.read returns.

interface SerialInput {
  # The bytes received on the system console's serial line (COM1), as they
  # came, in the order they came (docs/terminal.md). The receive interrupt
  # puts them in a kernel buffer of 4096 bytes; what arrives while it is
  # full is dropped and counted. One object for the machine: every holder
  # reads from the same buffer.
  read @0 (max :UInt32 $C.min(1) $C.max(.maxSerialRead))
      -> (data :Data $C.maxLen(.maxSerialRead));
    # Takes up to `max` bytes from the buffer, at least one: waits until
    # one arrives if the buffer is empty. One read waits at a time.
    # Errors: invalidArgument (max 0 or above maxSerialRead),
    # quotaExceeded (another read is waiting), unsupported (no UART or no interrupt
    # route for it), cancelled (the caller exited).
  stats @1 () -> (received :UInt64, dropped :UInt64);
    # Bytes received since boot, and those dropped because the buffer was
    # full.
}

interface VirtualMemory {
  # One process's address space (the process the capability was created
  # for, whoever holds it): anonymous memory, charged to that process's frame
  # quota. A limited facet (from `limit`) may in addition map no more than
  # its own budget.
  map @0 (addr :UInt64, len :UInt64, prot :UInt32, commit :Bool, shared :Bool)
      -> (addr :UInt64);
    # Maps `len` bytes (a multiple of 4096) of zeroed memory with `prot`
    # (bits: 1 read, 2 write, 4 exec; readable always; write together with
    # exec is refused). `addr` 0 lets the kernel choose; otherwise it must be
    # page-aligned, in the user range and not overlap an existing mapping.
    # Each page gets its frame when it is first touched and counts against
    # the quota from then on; a touch the quota has no room for ends the
    # process (a fault, vector 255, reason "out of memory"). With `commit`
    # every frame is allocated and charged before map returns instead, so
    # running out is a clean error here and never a fault later. A mapping
    # larger than the quota's room is refused either way. The facet budget
    # is charged for the whole length at once. With `shared` (which needs
    # `commit`) the memory stays shared, writable, with the copies a fork
    # makes (ProcessSpawner.fork) instead of being copied on write: what one
    # side writes the other reads; `protect` is notPermitted on it. Errors:
    # invalidArgument, alreadyExists (overlap), quotaExceeded (process quota
    # or facet budget), noMemory, peerGone (the process has exited).
  unmap @1 (addr :UInt64, len :UInt64) -> ();
    # Unmaps [addr, addr+len), which must lie wholly in memory mapped through
    # VirtualMemory (never the program image, stack, ring or CapSet); the
    # frames of the pages touched return to the quota, and the length to the
    # budget it was charged to.
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

const maxBootRead :UInt32 = 32768;
  # The most bytes one BootPackage.read returns.

interface BootPackage {
  # Read access to the boot manifest.
  size @0 () -> (bytes :UInt64);
    # Size of the manifest in bytes.
  read @1 (offset :UInt64, len :UInt32 $C.max(.maxBootRead))
      -> (data :Data $C.maxLen(.maxBootRead));
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
  identify @1 (client :Capability $C.required) -> (badge :UInt64);
    # The badge of `client` if it is a client facet of this endpoint: how a
    # server recognises one of its own objects that a caller passed back to
    # it (Directory.rename's destination). `client` is only looked at: sent
    # as a copy, the caller keeps it. Errors: notPermitted on a client facet;
    # crossService if `client` is anything else (another endpoint's facet, a
    # kernel object).
}

const maxSpawnGrants :UInt32 = 64;
  # The most grants one ProcessSpawner.spawn takes, and the most binaries
  # one restrict names.
const maxSpawnArgs :UInt32 = 64;
  # The most argv (and env) strings one ProcessSpawner.spawn takes.
const maxSpawnImage :UInt64 = 16777216;
  # The largest ELF image one ProcessSpawner.spawnImage takes (16 MiB).
const maxSpawnLive :UInt32 = 256;
  # Processes one ProcessSpawner object has started (spawn, spawnImage,
  # fork) that may be alive at once; one more is `exhausted`. Copies of the
  # capability share the count, so a fork bomb through it ends there.

interface ProcessSpawner {
  # Starts processes from the binaries in the boot manifest, or (spawnImage)
  # from an ELF image the caller holds.
  spawn @0 (binary :Text, name :Text,
            grants :List(SpawnGrant) $C.maxLen(.maxSpawnGrants),
            argv :List(Text) $C.maxLen(.maxSpawnArgs),
            env :List(Text) $C.maxLen(.maxSpawnArgs))
      -> (handle :Capability, pid :UInt32);
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
  restrict @2 (allowed :List(Text) $C.maxLen(.maxSpawnGrants)) -> (launcher :Capability);
    # A restricted launcher: a ProcessSpawner that may start only `allowed`
    # (a subset of what this one may start). Errors: notPermitted if a name is
    # not allowed here.
  spawnImage @3 (image :UInt64, size :UInt64, name :Text,
                 grants :List(SpawnGrant) $C.maxLen(.maxSpawnGrants),
                 argv :List(Text) $C.maxLen(.maxSpawnArgs),
                 env :List(Text) $C.maxLen(.maxSpawnArgs))
      -> (handle :Capability, pid :UInt32);
    # As spawn, from the `size` bytes of a static ELF64 executable at
    # address `image` of the caller's memory instead of a manifest binary
    # (docs/processes.md). The kernel copies the bytes once, in bounded
    # steps, into frames charged to the child's quota, and validates and
    # loads from that copy only; the caller's memory is not kept. Only an
    # unrestricted spawner may: a restricted launcher is limited to its
    # named binaries. Errors: notPermitted (restricted launcher),
    # invalidArgument with the `image` field as detail (not an executable
    # this kernel runs: truncated, wrong class or machine, overlapping or
    # absurd segments), invalidArgument on `size` (0 or over
    # maxSpawnImage), badAddress (the bytes are not readable memory of the
    # caller), quotaExceeded (the image or the process does not fit the
    # child's quota), noMemory, and spawn's for the grants, name, argv and
    # env.
  fork @4 (entry :UInt64, stack :UInt64, arg :UInt64)
      -> (handle :Capability, pid :UInt32);
    # A copy of the calling process (docs/processes.md, "fork"): its whole
    # address space, copy-on-write, and its capability table under the same
    # ids (less what must not be duplicated: endpoint server facets,
    # process and thread handles, other threads' controls, budgeted
    # VirtualMemory facets; the objects bound to the caller, VirtualMemory
    # and ThreadSpawner, are replaced by new ones bound to the copy). The
    # copy has one thread, which starts at `entry` with stack pointer
    # `stack`, rdi = `arg`, the caller's thread pointer, a fresh ring at the
    # address of the caller's ring and its ThreadControl's id (the caller's,
    # reused) in rdx. Its quota is the caller's limit, below the caller's
    # ledger, and it is charged for every page it shares up front. Errors:
    # notPermitted (restricted launcher), invalidArgument (entry or stack
    # outside user memory), exhausted (this spawner's live processes are at
    # maxSpawnLive), wouldBlock (a mapping call of another thread is in
    # progress), quotaExceeded, noMemory, tableFull; the caller is left as
    # it was.
  exec @5 (image :UInt64, size :UInt64, name :Text,
           grants :List(SpawnGrant) $C.maxLen(.maxSpawnGrants),
           argv :List(Text) $C.maxLen(.maxSpawnArgs),
           env :List(Text) $C.maxLen(.maxSpawnArgs))
      -> ();
    # Replaces the calling process's program with the image, as spawnImage
    # would start it, in place (docs/processes.md, "Exec"): the same pid,
    # parent, ledger and ProcessHandles; a fresh address space; a capability
    # table holding exactly the grants (kernel grants made for this process)
    # and the calling thread's new ThreadControl, everything else the
    # process held released. The calling thread goes on as the new
    # program's first thread; the process's other threads end. Only an
    # unrestricted spawner may. The new program is built completely before
    # anything of the old one is dropped: on any error the caller is
    # exactly as before. Never completes on success. Errors: notPermitted
    # (restricted launcher), unsupported (another thread of the process is
    # in an exec already: this thread is ending), and spawnImage's.
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
  pid @2 () -> (pid :UInt32);
    # The process's id: the kernel's, as the process itself sees it in its
    # CapSet (getpid() of a POSIX program). Ids are not reused while the
    # machine runs.
  signal @3 (signal :UInt8) -> ();
    # Makes POSIX signal `signal` (1-64) pending in the process
    # (docs/signals.md): a thread of it that does not block the signal
    # is diverted to the process's signal entry at its next return to
    # user mode (a thread blocked in cap_enter's wait returns early).
    # Signal 9 (SIGKILL) stops the process as kill does; a signal the
    # process does not want (ThreadControl.setSignalEntry) is dropped.
    # Errors: invalidArgument for 0, above 64 or 19 (SIGSTOP: stopping
    # a process is not supported); peerGone once the process has ended.
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
# Threads and scheduling
#
# Every thread has its own ring. A thread starts with rdi = the argument it
# was created with (the CapSet address for a process's first thread), rsi =
# the address of its ring, and rdx = the cap id of its ThreadControl.

const maxThreadWeight :UInt32 = 65536;
  # The largest weight a thread can have (a weight is at least 1).

enum LatencyClass {
  batch @0;                      # a fair share by weight (the default)
  latency @1;                    # woken ahead of batch threads, preempting them
}

interface ThreadSpawner {
  # Creates threads in the address space of the process the capability was
  # granted to, whoever holds it.
  spawn @0 (entry :UInt64, stack :UInt64, tls :UInt64, arg :UInt64,
            affinity :UInt64, setTid :UInt64, clearTid :UInt64)
      -> (handle :Capability, tid :UInt32);
    # Starts a thread at `entry` with stack pointer `stack`, FS base `tls`
    # and rdi = `arg`, with its own ring and its ThreadControl (see above).
    # It gets the calling thread's weight and latency class; `affinity` is a
    # mask of CPUs it may run on (bit i = CPU i; 0 = the calling thread's).
    # `setTid` (0 = none): the address of a 32-bit word in the target
    # process where the kernel stores the new thread's id before the thread
    # can run. `clearTid` (0 = none): the address of a 32-bit word the
    # kernel sets to 0 when the thread ends with ThreadControl.exit, after
    # which it wakes every ParkSpace waiter on that word of the process
    # (what pthread_join waits for; ThreadControl.setClearTid changes it).
    # Returns a ThreadHandle and the thread's id. Errors: invalidArgument
    # (entry, stack or tls outside the user range, an affinity naming no
    # online CPU, setTid or clearTid unaligned or outside the user range),
    # badAddress (setTid not writable memory; nothing was started),
    # quotaExceeded (thread limit or frame quota), noMemory, peerGone (the
    # process has exited).
}

interface ThreadHandle {
  # One thread, seen from outside.
  join @0 () -> (code :Int32, killed :Bool);
    # Completes when the thread has ended: `code` from ThreadControl.exit,
    # or killed = true if its process stopped first (exit, kill, fault).
  info @1 () -> (tid :UInt32, cpuNs :UInt64, cpu :UInt32, weight :UInt32,
                 latencyClass :LatencyClass, affinity :UInt64, ended :Bool);
    # Thread id, CPU time used, the CPU it runs or last ran on, and its
    # scheduling parameters.
}

interface ThreadControl {
  # A thread's control over itself. Each thread receives its own at start;
  # methods that act on "this thread" refuse callers that are other threads
  # (notPermitted), except handle.
  exit @0 (code :Int32) -> ();
    # Ends the calling thread (never completes). The process ends with
    # exited(code) when this was its last thread.
  setTls @1 (base :UInt64) -> ();
    # Sets the thread's FS base. Errors: invalidArgument outside the user
    # range.
  setAffinity @2 (mask :UInt64) -> ();
    # Restricts the thread to the CPUs in `mask`; it moves at once if it
    # runs elsewhere. Errors: invalidArgument if no online CPU is in the mask.
  lowerWeight @3 (weight :UInt32) -> ();
    # Lowers the thread's weight (raising needs a SchedulingPolicy).
    # Errors: invalidArgument if 0 or above the current weight.
  handle @4 () -> (handle :Capability);
    # A ThreadHandle for this thread (to pass to SchedulingPolicy.set or to
    # another thread that will join it).
  yield @5 () -> ();
    # Lets other ready threads of this CPU run first.
  setClearTid @6 (addr :UInt64) -> (tid :UInt32);
    # Sets the calling thread's clear-tid word (as ThreadSpawner.spawn's
    # clearTid; 0 = none) and returns the thread's id: set_tid_address for
    # a process's first thread. Errors: invalidArgument (unaligned or
    # outside the user range).
  setSignalEntry @7 (entry :UInt64, restoreStart :UInt64, restoreEnd :UInt64,
                     wanted :UInt64) -> ();
    # Registers the process's signal entry point (docs/signals.md): where
    # a thread is diverted, with rdi = the address of the signal frame
    # the kernel wrote below its stack pointer, when a signal is pending.
    # No signal is delivered while a thread's instruction pointer is in
    # [restoreStart, restoreEnd) (the code that returns from a handler).
    # Bit s-1 of `wanted` set: signal s is made pending; clear: dropped
    # (its pending bit too). entry = 0 unregisters. Acts on the calling
    # thread's process. Errors: invalidArgument (an address outside the
    # user range, restoreEnd < restoreStart).
  setSignalMask @8 (blocked :UInt64) -> ();
    # Signals (bit s-1) never delivered to the calling thread; another
    # thread of the process takes them.
  signalProcess @9 (signal :UInt8) -> ();
    # ProcessHandle.signal on the calling thread's own process.
}

interface SchedulingPolicy {
  # Authority over CPU shares: sets the weight and latency class of a thread
  # the caller holds a ThreadHandle or ThreadControl for.
  set @0 (thread :Capability $C.required,
         weight :UInt32 $C.min(1) $C.max(.maxThreadWeight),
         latencyClass :LatencyClass) -> ();
    # Errors: invalidArgument (weight 0 or above 65536, `thread` not a
    # thread capability), notPermitted (weight above this policy's maximum,
    # or the latency class without permission for it).
  limits @1 () -> (maxWeight :UInt32, latency :Bool);
  restrict @2 (maxWeight :UInt32 $C.min(1), latency :Bool) -> (policy :Capability);
    # A narrower policy. Errors: notPermitted if wider than this one.
}

interface ParkSpace {
  # Futex-like waiting on a 32-bit word in the caller's own address space.
  wait @0 (addr :UInt64, expected :UInt32, timeoutNs :UInt64) -> ();
    # If the aligned word at `addr` holds `expected`, waits until a wake for
    # `addr` or the timeout (0 = none); the check and the start of the wait
    # are atomic with respect to wake. Errors: wouldBlock (the word differs),
    # timedOut, invalidArgument (unaligned or outside the user range),
    # badAddress (not mapped), cancelled.
  wake @1 (addr :UInt64, count :UInt32) -> (woken :UInt32);
    # Wakes up to `count` waiters on `addr` of the caller's process, oldest
    # first, and says how many.
}

# ---------------------------------------------------------------------------
# Pipes
#
# A pipe is a kernel object with a bounded byte buffer and two ends, each
# its own capability: a PipeReader and a PipeWriter. Ends are copied and
# moved like any capability (over IPC, as spawn grants); an end exists as
# long as any capability (or a read or write in progress on it) names it.
# Buffers are given as addresses in the caller's own memory, as for
# ParkSpace: the kernel copies straight between that memory and the pipe.
# docs/posix-kernel.md describes the semantics and the readiness protocol
# for poll and select.

const pipeCapacity :UInt32 = 65536;
  # Bytes a pipe holds.
const pipeAtomicWrite :UInt32 = 4096;
  # PIPE_BUF: a write of at most this many bytes goes in whole or not at
  # all, never interleaved with other writes.

const pipeReadable :UInt32 = 1;
  # wait events: the read end has data to read.
const pipeWritable :UInt32 = 2;
  # wait events: the write end has room for pipeAtomicWrite bytes.
const pipeHangup :UInt32 = 4;
  # wait result: the other side is gone (every write end, for a read end:
  # reads return what is left, then 0; every read end, for a write end:
  # writes fail with peerGone). Always reported, whether asked for or not.

interface PipeFactory {
  # Creates pipes; each is charged to the caller's memory quota.
  create @0 () -> (reader :Capability, writer :Capability);
    # A new empty pipe: its read end (PipeReader) and write end
    # (PipeWriter). Its buffer (pipeCapacity bytes) and record, 17 frames,
    # are charged to the caller until the pipe is gone (both ends and every
    # operation on it). Errors: quotaExceeded, noMemory.
}

interface PipeReader {
  # The read end of a pipe.
  read @0 (buf :UInt64, len :UInt32, nonBlocking :Bool) -> (n :UInt32);
    # Moves up to `len` bytes from the pipe into the caller's memory at
    # [buf, buf+len) and returns how many (at least 1 unless len is 0 or
    # at end of file). If the pipe is empty: n = 0 once every write end is
    # gone (end of file); otherwise wouldBlock if `nonBlocking`, else the
    # call waits for data (or end of file), and then returns what there is
    # (possibly less than len). Reads complete in the order they were made.
    # Errors: badAddress (the buffer is not writable memory of the caller;
    # no byte was consumed), wouldBlock, quotaExceeded (64 operations
    # already wait on this pipe's reads), cancelled (the caller exited).
  wait @1 (events :UInt32, nonBlocking :Bool) -> (ready :UInt32);
    # Readiness, for poll and select: completes with `ready`, the
    # pipeReadable and pipeHangup bits that hold, as soon as one of them
    # is in `events` or is pipeHangup: at once if that holds already (or
    # if `nonBlocking`, whatever holds, possibly nothing). A wait is
    # level-triggered and one-shot; it takes nothing from the pipe, so the
    # data it saw may be gone by the time the caller reads.
    # Errors: invalidArgument (bits other than pipeReadable and
    # pipeWritable in `events`), quotaExceeded (64 waits already pending
    # on this pipe), cancelled (cancelWaits by the same thread, this end
    # gone, or the caller exited).
  cancelWaits @2 () -> (cancelled :UInt32);
    # Completes every wait of the calling thread pending on this end with
    # `cancelled` (their completions are posted before this call's) and
    # says how many. A wait that became ready meanwhile is not among them:
    # its completion with `ready` is posted or on its way.
}

interface PipeWriter {
  # The write end of a pipe.
  write @0 (buf :UInt64, len :UInt32, nonBlocking :Bool) -> (n :UInt32);
    # Moves bytes from the caller's memory at [buf, buf+len) into the pipe
    # and returns how many. A write of at most pipeAtomicWrite bytes goes
    # in whole, or waits (wouldBlock if `nonBlocking`) until the room is
    # there. A longer one puts in what fits, at least one byte, and returns
    # that count (the caller writes the rest with more calls); with no room
    # at all it waits for some (wouldBlock if `nonBlocking`). Writes
    # complete in the order they were made; len 0 returns 0.
    # Errors: peerGone (every read end is gone; EPIPE), badAddress (the
    # buffer is not readable memory of the caller; nothing was written),
    # wouldBlock, quotaExceeded (64 operations already wait on this
    # pipe's writes), cancelled (the caller exited).
  wait @1 (events :UInt32, nonBlocking :Bool) -> (ready :UInt32);
    # As PipeReader.wait, with the pipeWritable and pipeHangup bits.
  cancelWaits @2 () -> (cancelled :UInt32);
    # As PipeReader.cancelWaits.
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

const maxTerminalIo :UInt32 = 4096;
  # The most bytes one Terminal.read returns or one Terminal.write takes.
const terminalNccs :UInt32 = 32;
  # Control characters in a termios c_cc array (Linux's NCCS).

enum TerminalSetWhen {
  # When Terminal.setAttr applies its attributes (tcsetattr's actions).
  now @0;                        # TCSANOW
  drain @1;                      # TCSADRAIN: after output is sent (it always is)
  flush @2;                      # TCSAFLUSH: and discards input not yet read
}

interface Terminal {
  # The serial console as a terminal, served by the terminal service
  # (user/services/terminal.c, docs/terminal.md): a line discipline over
  # SerialInput and the Console. One session with one foreground process
  # group; termios fields and flag bits are Linux's.
  read @0 (max :UInt32 $C.min(1) $C.max(.maxTerminalIo), nonBlocking :Bool)
      -> (data :Data $C.maxLen(.maxTerminalIo));
    # Input as the discipline gives it: in canonical mode up to one line
    # (empty at end of file, ^D at the start of a line); otherwise as
    # VMIN and VTIME say. Waits for input unless `nonBlocking`. Reads
    # complete in the order they were made. Errors: invalidArgument,
    # wouldBlock (nonBlocking and nothing to read), quotaExceeded (8 reads
    # already wait).
  write @1 (data :Data $C.maxLen(.maxTerminalIo)) -> (n :UInt32);
    # Output, processed as c_oflag says (OPOST, ONLCR). Errors:
    # invalidArgument.
  getAttr @2 () -> (iflag :UInt32, oflag :UInt32, cflag :UInt32, lflag :UInt32,
                    cc :Data $C.maxLen(.terminalNccs));
    # The termios state.
  setAttr @3 (iflag :UInt32, oflag :UInt32, cflag :UInt32, lflag :UInt32,
              cc :Data $C.required $C.maxLen(.terminalNccs), when :TerminalSetWhen) -> ();
    # Sets the termios state; `cc` gives the first control characters (the
    # rest are kept). Errors: invalidArgument.
  getWinSize @4 () -> (rows :UInt16, cols :UInt16, xpixel :UInt16, ypixel :UInt16);
  setWinSize @5 (rows :UInt16, cols :UInt16, xpixel :UInt16, ypixel :UInt16) -> ();
    # The window size (TIOCGWINSZ, TIOCSWINSZ); kept, not acted on.
  getForeground @6 () -> (pgid :UInt32);
  setForeground @7 (pgid :UInt32 $C.min(1)) -> ();
    # The foreground process group (tcgetpgrp, tcsetpgrp), as recorded.
  nextSignal @8 () -> (signal :UInt32, pgid :UInt32);
    # Waits for the next signal the discipline raised (ISIG: ^C SIGINT,
    # ^\ SIGQUIT, ^Z SIGTSTP) and says which, with the foreground group
    # it is meant for: for whoever delivers signals. Up to 8 are kept
    # until asked for; more are dropped. Errors: quotaExceeded (a
    # nextSignal already waits).
}

interface TerminalInput {
  # The terminal service's own threads: its input pump hands it the bytes
  # it read from SerialInput, its ticker wakes it for VTIME. Only the
  # service's own facet may call it (notPermitted for anyone else).
  input @0 (data :Data $C.required $C.maxLen(.maxSerialRead)) -> ();
  tick @1 () -> (deadline :UInt64);
    # Looks at the waiting reads again, then answers once one of them has
    # a deadline (VTIME), with the earliest: the caller sleeps until then
    # and ticks again.
}

const maxTallyName :UInt32 = 16;
  # The longest counter name a Tally keeps.

interface Tally {
  # Named counters, kept by the tally service (user/services/tally.c): an
  # example of a service written with the generated RPC layer
  # (docs/writing-a-service.md).
  add @0 (name :Text $C.required $C.maxLen(.maxTallyName),
          amount :UInt32 $C.min(1)) -> (total :UInt64);
    # Adds `amount` to the counter `name` (a new counter starts at 0) and
    # returns its total. Errors: invalidArgument (no name, a name longer
    # than maxTallyName, amount 0), quotaExceeded (no room for another
    # counter).
  get @1 (name :Text $C.required $C.maxLen(.maxTallyName)) -> (total :UInt64);
    # The counter's total. Errors: invalidArgument (as for add),
    # notFound (no such counter).
}

# ---------------------------------------------------------------------------
# Files and directories
#
# Served by the file service (user/services/filesrv.c, docs/storage.md): a
# tree of files and directories kept in the service's memory. Every File or
# Directory capability is a client facet of the service's endpoint whose
# badge names one node, whether the facet is read-only, and the quota
# account that pays for what is created through it. A narrower authority is
# a different capability (a read-only facet, a subdirectory, a smaller
# quota), never a rights mask.

const maxFileName :UInt32 = 255;
  # The longest name of a directory entry, in bytes. A name is 1 to 255
  # bytes without '/' or NUL, and is neither "." nor "..".
const maxFileIo :UInt32 = 32768;
  # The most bytes one File.read returns or one File.write takes.
const maxDirList :UInt32 = 128;
  # The most entries one Directory.list returns.
const maxDirRecords :UInt32 = 36864;
  # The most bytes of records one Directory.listRecords returns: room for
  # maxDirList records of the longest name (18 + 255 bytes each).
const maxFileMode :UInt32 = 4095;
  # Mode bits kept with a node (0o7777): reported by stat, never consulted:
  # the capability is the authority.
const maxLinkTarget :UInt32 = 4095;
  # The longest target of a symbolic link, in bytes.

enum NodeKind {
  file @0;
  directory @1;
  symlink @2;                    # a path, kept for the client to resolve
}

struct Stat {
  # What File.stat and Directory.stat report.
  kind @0 :NodeKind;
  size @1 :UInt64;               # bytes of a file; entries of a directory
  mode @2 :UInt32;               # permission bits as created (at most maxFileMode)
  mtimeNs @3 :UInt64;            # last change of the contents, wall clock ns
  ctimeNs @4 :UInt64;            # last change of the contents or the entry
  links @5 :UInt32;              # directory entries naming the node (1; 2 + subdirectories for a directory)
  inode @6 :UInt64;              # unique in the service for the service's life
  readOnly @7 :Bool;             # the capability asked is a read-only facet
  atimeNs @8 :UInt64;            # last access as set by setAttr (reads do not change it)
}

struct DirEntry {
  # One entry of Directory.list.
  name @0 :Text $C.required $C.maxLen(.maxFileName);
  kind @1 :NodeKind;
  inode @2 :UInt64;
  next @3 :UInt64;
    # The cursor that lists on from the entry after this one (as a page's
    # `next` does): a client can start again after any entry.
}

interface File {
  # The contents of one file of the file service.
  read @0 (offset :UInt64, count :UInt32 $C.max(.maxFileIo))
      -> (data :Data $C.maxLen(.maxFileIo));
    # Up to `count` bytes from `offset`: fewer at the end of the file, none
    # at or past it. Holes read as zeros.
  write @1 (offset :UInt64, data :Data $C.required $C.maxLen(.maxFileIo)) -> (count :UInt32);
    # Writes `data` at `offset`, growing the file (and leaving a hole of
    # zeros) as needed; all of it or nothing. Errors: notPermitted
    # (read-only facet), quotaExceeded (the account that pays for the file
    # has no room; nothing was written), invalidArgument (the end would pass
    # 2^48 bytes), notFound (the file was removed).
  size @2 () -> (size :UInt64);
  truncate @3 (size :UInt64) -> ();
    # Sets the size: cut, or grown with zeros. Errors: as for write.
  sync @4 () -> ();
    # Completes once every earlier write is stored. The service keeps files
    # in memory, so there is nothing to wait for.
  stat @5 () -> (stat :Stat);
  readOnly @6 () -> (file :File);
    # A read-only facet of this file.
  setAttr @7 (setMode :Bool, mode :UInt32 $C.max(.maxFileMode),
              setAtime :Bool, atimeNs :UInt64, setMtime :Bool, mtimeNs :UInt64) -> ();
    # Sets the mode bits and the times asked for (ctime becomes now).
    # Errors: notPermitted (read-only facet), notFound.
}

interface Directory {
  # One directory of the file service, and everything below it: no name
  # reaches above it.
  open @0 (name :Text $C.required $C.maxLen(.maxFileName),
           create :Bool, exclusive :Bool, truncate :Bool, directory :Bool, readOnly :Bool,
           mode :UInt32 $C.max(.maxFileMode))
      -> (file :File, directory :Directory, symlink :Bool);
    # The entry `name`: a File capability for a file, a Directory capability
    # for a directory (the other field is null), or for a symbolic link
    # `symlink` true and both null (the service never follows a link: the
    # client reads the target with lstat and resolves it against its own
    # root). `create` makes a file if
    # there is none (with `mode`), `exclusive` with it refuses an existing
    # entry, `truncate` empties a file, `directory` refuses a file,
    # `readOnly` hands out a read-only facet. Errors: invalidArgument (a bad
    # name: params.name), notFound, alreadyExists (create with exclusive),
    # notPermitted (create or truncate through a read-only facet),
    # notDirectory (`directory` on a file), quotaExceeded (no entry left in
    # the account), tableFull (the service's capability table is full).
  list @1 (cursor :UInt64, max :UInt32 $C.min(1) $C.max(.maxDirList))
      -> (entries :List(DirEntry) $C.maxLen(.maxDirList), next :UInt64, end :Bool);
    # Up to `max` entries from `cursor` (0 for the first page, then the
    # `next` of the page before), in the order they were made. Entries made
    # or removed between pages do not disturb the others: each entry that
    # stays is listed exactly once. `end` says there are no more.
  mkdir @2 (name :Text $C.required $C.maxLen(.maxFileName),
            mode :UInt32 $C.max(.maxFileMode)) -> ();
    # Errors: invalidArgument (params.name), alreadyExists, notPermitted
    # (read-only facet), quotaExceeded.
  remove @3 (name :Text $C.required $C.maxLen(.maxFileName)) -> ();
    # Removes a file, a symbolic link or an empty directory; capabilities
    # naming it stop working (notFound). Errors: invalidArgument, notFound,
    # notPermitted (read-only facet), notEmpty (a directory with entries).
  rename @4 (from :Text $C.required $C.maxLen(.maxFileName),
             to :Text $C.required $C.maxLen(.maxFileName)) -> ();
    # Renames an entry of this directory, replacing an entry called `to`: a
    # directory by an empty directory, anything else by anything else but a
    # directory. Errors: invalidArgument (params.from, params.to), notFound,
    # notPermitted, notEmpty (`to` is a directory with entries), isDirectory
    # (`to` is a directory, `from` is not), notDirectory (`from` is a
    # directory, `to` is not).
  stat @5 () -> (stat :Stat);
  sub @6 (name :Text $C.required $C.maxLen(.maxFileName)) -> (directory :Directory);
    # The subdirectory `name`, as a capability confined to it; read-only if
    # this one is. Errors: invalidArgument, notFound, notDirectory (not a
    # directory).
  readOnly @7 () -> (directory :Directory);
    # A read-only facet of this directory: everything opened through it is
    # read-only too.
  limit @8 (bytes :UInt64, entries :UInt64) -> (directory :Directory);
    # This directory with a quota account of its own: what is created
    # through it (and through everything opened through it) may hold at
    # most `bytes` of file data and `entries` entries, on top of this
    # capability's account. Errors: quotaExceeded (the service has no room
    # for another account).
  quota @9 () -> (bytesLimit :UInt64, bytesUsed :UInt64,
                  entriesLimit :UInt64, entriesUsed :UInt64);
    # The account of this capability.
  symlink @10 (name :Text $C.required $C.maxLen(.maxFileName),
               target :Text $C.required $C.maxLen(.maxLinkTarget)) -> ();
    # Makes the symbolic link `name` holding `target` (1 to maxLinkTarget
    # bytes without NUL; its length is charged as bytes). Errors:
    # invalidArgument (params.name, params.target), alreadyExists,
    # notPermitted (read-only facet), quotaExceeded.
  lstat @11 (name :Text $C.required $C.maxLen(.maxFileName))
      -> (stat :Stat, target :Text $C.maxLen(.maxLinkTarget));
    # The entry `name` without opening it (a symbolic link is not
    # followed): its Stat (`readOnly` as a capability from this one would
    # be) and, for a link, its target. Errors: invalidArgument, notFound.
  setAttr @12 (name :Text $C.required $C.maxLen(.maxFileName),
               setMode :Bool, mode :UInt32 $C.max(.maxFileMode),
               setAtime :Bool, atimeNs :UInt64, setMtime :Bool, mtimeNs :UInt64) -> ();
    # File.setAttr on the entry `name` (of any kind, a link itself
    # included). Errors: invalidArgument, notFound, notPermitted.
  listRecords @13 (cursor :UInt64, max :UInt32 $C.min(1) $C.max(.maxDirList))
      -> (records :Data $C.maxLen(.maxDirRecords), next :UInt64, end :Bool);
    # The page `list` returns, packed for a client that reads every entry:
    # one record per entry, its inode (UInt64), the cursor after it
    # (UInt64), its kind (UInt8, a NodeKind), its name's length (UInt8) and
    # the name, little-endian and unaligned (lib/fs/records.h).
  move @14 (from :Text $C.required $C.maxLen(.maxFileName), toDir :Directory $C.required,
            to :Text $C.required $C.maxLen(.maxFileName)) -> ();
    # rename into another directory: the entry `from` of this directory
    # becomes `to` in `toDir`, replacing an entry of that name by the rules
    # of rename. `toDir` must be a directory of the same service reached
    # through a writable capability that charges the same quota as this one
    # (what moves stays charged where it was); it is only looked at, and the
    # caller keeps it. Errors: as rename; invalidArgument (params.toDir) if
    # the entry is a directory and `toDir` is it or lies below it;
    # notDirectory if `toDir` is not a directory; notPermitted if either
    # capability is read-only; crossService if `toDir` belongs to another
    # service or charges another quota.
}

# Blobs and names
#
# Served by the same file service and endpoint as File and Directory
# (docs/storage.md): a Store of immutable blobs named by their SHA-256, and
# Namespaces binding names to such hashes. A Namespace capability is a
# realm: the bindings whose names start with its prefix, seen with the
# prefix stripped.

const hashBytes :UInt32 = 32;
  # A blob's name: its SHA-256 digest. A hash argument of any other
  # length is refused (invalidArgument naming the field).
const maxBlob :UInt32 = 32768;
  # The largest blob: one Store.put carries it whole.

struct NameBinding {
  # One binding of Namespace.list.
  name @0 :Text $C.required $C.maxLen(.maxFileName);
  hash @1 :Data $C.required $C.maxLen(.hashBytes);
}

interface Store {
  # Immutable blobs named by the SHA-256 of their bytes; a blob put twice
  # is kept once.
  put @0 (data :Data $C.required $C.maxLen(.maxBlob)) -> (hash :Data $C.maxLen(.hashBytes));
    # Stores `data` (if no blob has its hash yet) and returns its hash.
    # The first put of a blob charges its bytes and one entry to this
    # capability's account, for the service's life; a put of a blob already
    # stored charges nothing. Errors: quotaExceeded (nothing stored).
  get @1 (hash :Data $C.required $C.maxLen(.hashBytes))
      -> (data :Data $C.maxLen(.maxBlob));
    # The blob's bytes. Errors: notFound.
  has @2 (hash :Data $C.required $C.maxLen(.hashBytes)) -> (present :Bool);
  limit @3 (bytes :UInt64, entries :UInt64) -> (store :Store);
    # This store with a quota account of its own, below this capability's.
    # Errors: quotaExceeded (the service has no room for another account).
  quota @4 () -> (bytesLimit :UInt64, bytesUsed :UInt64,
                  entriesLimit :UInt64, entriesUsed :UInt64);
    # The account of this capability.
}

interface Namespace {
  # Names bound to blob hashes of the service's Store. Names follow the
  # rules of file names (maxFileName); the whole name, with the prefixes of
  # every realm it was reached through, is at most maxFileName bytes.
  bind @0 (name :Text $C.required $C.maxLen(.maxFileName),
           hash :Data $C.required $C.maxLen(.hashBytes)) -> ();
    # Binds `name` to `hash`, replacing what it was bound to (keeping its
    # place in the listing). A new binding charges one entry to this
    # capability's account. Errors: invalidArgument (params.name: a bad
    # name, or too long with the realm's prefix), notFound (no blob has
    # this hash), notPermitted (read-only facet), quotaExceeded.
  resolve @1 (name :Text $C.required $C.maxLen(.maxFileName)) -> (hash :Data $C.maxLen(.hashBytes));
    # Errors: invalidArgument, notFound.
  list @2 (cursor :UInt64, max :UInt32 $C.min(1) $C.max(.maxDirList))
      -> (bindings :List(NameBinding) $C.maxLen(.maxDirList), next :UInt64, end :Bool);
    # Up to `max` bindings of this realm from `cursor` (0, then `next`), in
    # the order they were made: paged like Directory.list.
  unbind @3 (name :Text $C.required $C.maxLen(.maxFileName)) -> ();
    # Errors: invalidArgument, notFound, notPermitted (read-only facet).
  sub @4 (prefix :Text $C.required $C.maxLen(.maxFileName)) -> (namespace :Namespace);
    # The realm of the names that start with `prefix`, seen without it;
    # nothing outside it can be named through it. Read-only if this one is.
    # Errors: invalidArgument (params.prefix: not a name, or too long with
    # this realm's prefix), tableFull.
  readOnly @5 () -> (namespace :Namespace);
    # A read-only facet: resolve, list, sub and readOnly only.
}
