package io.ncclffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

import io.ncclffm.testing.CSharedLibrary;

/**
 * Compiles {@code src/test/c/stub_nccl.c} with gcc and drives it: the test double for what only a GPU can decide
 * with real NCCL (a communicator exists; a collective is called with these exact arguments).
 */
final class StubLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    final Path path;
    private final SymbolLookup lookup;

    private StubLibrary(Path path) {
        this.path = path;
        this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
    }

    /** Which library the stub stands in for: which symbols it exports. */
    enum Variant {
        /** NCCL as of 2.22: no all-to-all, gather or scatter. */
        NCCL("libnccl_stub.so"),
        /** NCCL 2.28's additions: {@code ncclAlltoAll}, {@code ncclGather}, {@code ncclScatter}. */
        NCCL_2_28("libnccl_2_28_stub.so", "-DNCCL_2_28"),
        /** NCCL 2.14: none of split, ncclMemAlloc, registration, PreMulSum or ncclGroupSimulateEnd. */
        NCCL_2_14("libnccl_2_14_stub.so", "-DNCCL_2_14"),
        /** NCCL 2.29.2's additions on top: {@code ncclCommGrow}, {@code ncclCommGetUniqueId}. */
        NCCL_2_29("libnccl_2_29_stub.so", "-DNCCL_2_28", "-DNCCL_2_29"),
        /** NCCL 2.29.7's additions on top: {@code ncclCommSuspend}, {@code ncclCommResume}, {@code ncclCommMemStats}. */
        NCCL_2_29_7("libnccl_2_29_7_stub.so", "-DNCCL_2_28", "-DNCCL_2_29", "-DNCCL_2_29_7"),
        /** NCCL 2.30.4's parameter API on top of 2.29's functions. */
        NCCL_2_30_4("libnccl_2_30_4_stub.so", "-DNCCL_2_28", "-DNCCL_2_29", "-DNCCL_2_30_4"),
        /** RCCL's spellings: {@code ncclAllToAll}, {@code ncclAllToAllv}, {@code ncclGather}, {@code ncclScatter}. */
        RCCL("librccl_stub.so", "-DRCCL");

        final String file;
        final List<String> defines;

        Variant(String file, String... defines) {
            this.file = file;
            this.defines = List.of(defines);
        }
    }

    static StubLibrary build(Path dir, boolean rccl) throws Exception {
        return build(dir, rccl ? Variant.RCCL : Variant.NCCL);
    }

    static StubLibrary build(Path dir, Variant variant) throws Exception {
        return new StubLibrary(CSharedLibrary.compile(dir.resolve(variant.file), "src/test/c/stub_nccl.c",
                variant.defines.toArray(String[]::new)));
    }

    private MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(lookup.find(name).orElseThrow(), d);
    }

    /** mode: 0 succeed, 1 init stays in progress, 2 init fails with ncclUnhandledCudaError. */
    void reset(int versionCode, int initMode, int collectiveResult) {
        try {
            handle("stub_reset", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT)).invokeExact(versionCode, initMode, collectiveResult);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    String calls() {
        try {
            MemorySegment s = (MemorySegment) handle("stub_calls", FunctionDescriptor.of(ADDRESS)).invokeExact();
            return s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Polls the communicator at {@code comm} still owes before its last operation counts as finished. */
    int pending(long comm) {
        try {
            return (int) handle("stub_comm_pending", FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(MemorySegment.ofAddress(comm));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long lastArg(int i) {
        try {
            return (long) handle("stub_last_arg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT)).invokeExact(i);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code ncclPutSignal}'s arguments past the eighth: 0 flags, 1 comm, 2 stream. */
    long signalExtra(int i) {
        try {
            return (long) handle("stub_signal_extra", FunctionDescriptor.of(JAVA_LONG, JAVA_INT)).invokeExact(i);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Field {@code field} (opCnt, peer, sigIdx, ctx) of the {@code i}th descriptor of the last {@code ncclWaitSignal}. */
    int waitDesc(int i, int field) {
        try {
            return (int) handle("stub_wait_desc", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)).invokeExact(i, field);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int waitDescCount() {
        try {
            return (int) handle("stub_wait_ndesc", FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    long lastIdSum() {
        try {
            return (long) handle("stub_last_id_sum", FunctionDescriptor.of(JAVA_LONG)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int lastBlocking() {
        try {
            return (int) handle("stub_last_blocking", FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int lastConfigVersion() {
        try {
            return (int) handle("stub_last_config_version", FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int lastPropsVersion() {
        try {
            return (int) handle("stub_last_props_version", FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The same checksum the stub computes over the 128 bytes it received. */
    static long idSum(byte[] id) {
        long s = 0;
        for (byte b : id) s = s * 31 + (b & 0xff);
        return s;
    }

    /** The bytes of the last {@code ncclConfig_t} received, as many as its {@code size} said (at most 256). */
    byte[] lastConfig() {
        try {
            long size = (long) handle("stub_last_config_size", FunctionDescriptor.of(JAVA_LONG)).invokeExact();
            MemorySegment s = (MemorySegment) handle("stub_last_config", FunctionDescriptor.of(ADDRESS)).invokeExact();
            return s.reinterpret(256).asSlice(0, Math.min(size, 256)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** What the last config's {@code netName} (0) or {@code commName} (1) pointed to: "(null)", or "" if absent. */
    String lastConfigString(int which) {
        try {
            MemorySegment s = (MemorySegment) handle("stub_last_config_string", FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(which);
            return s.reinterpret(128).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The 8 bytes a host-immediate PreMulSum scalar pointed to when the operator was created. */
    byte[] lastScalar() {
        try {
            MemorySegment s = (MemorySegment) handle("stub_last_scalar", FunctionDescriptor.of(ADDRESS)).invokeExact();
            return s.reinterpret(8).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int lastExcluded(int i) {
        try {
            return (int) handle("stub_last_excluded", FunctionDescriptor.of(JAVA_INT, JAVA_INT)).invokeExact(i);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
