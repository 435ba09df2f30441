package io.ncclffm.harness.worker;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import io.ncclffm.Nccl;
import io.ncclffm.testing.CSharedLibrary;

/**
 * The binding's stand-in library ({@code binding/src/test/c/stub_nccl.c}), built with gcc and loaded in this
 * JVM, so that worker code meets a real {@link Nccl} (version, symbols, a communicator) without a GPU. Its
 * controls set the version it reports and the asynchronous error its communicators hold.
 */
final class StubNcclLibrary {

    private static final Linker LINKER = Linker.nativeLinker();
    private static StubNcclLibrary instance;

    final Path path;
    private final SymbolLookup lookup;

    private StubNcclLibrary(Path path) {
        this.path = path;
        this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
    }

    static synchronized StubNcclLibrary get() throws Exception {
        if (instance != null) return instance;
        Path out = CSharedLibrary.compile(Path.of("target", "stub", "worker", "libnccl_stub.so"),
                "../../binding/src/test/c/stub_nccl.c");
        instance = new StubNcclLibrary(out);
        return instance;
    }

    private static StubNcclLibrary v2297;

    /** The stub with what NCCL 2.29.7 added: properties, suspend/resume, memory statistics. */
    static synchronized StubNcclLibrary withNccl2297() throws Exception {
        if (v2297 != null) return v2297;
        Path out = CSharedLibrary.compile(Path.of("target", "stub", "worker", "libnccl_2_29_7_stub.so"),
                "../../binding/src/test/c/stub_nccl.c", "-DNCCL_2_28", "-DNCCL_2_29", "-DNCCL_2_29_7");
        v2297 = new StubNcclLibrary(out);
        return v2297;
    }

    /** Reports {@code versionCode} from the next load on; every call succeeds, nothing is in error. */
    Nccl load(int versionCode) {
        reset(versionCode, false);
        return Nccl.load(path);
    }

    /**
     * Reports {@code versionCode} from the next load on; with {@code initFails}, every init fails with
     * ncclUnhandledCudaError, as NCCL does on a machine without a GPU.
     */
    void reset(int versionCode, boolean initFails) {
        call("stub_reset", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                versionCode, initFails ? 2 : 0, 0);
    }

    /** Every communicator's {@code ncclCommGetAsyncError} reports {@code code}, and ncclGetLastError {@code text}. */
    void setAsyncError(int code, String text) {
        try (Arena arena = Arena.ofConfined()) {
            call("stub_set_async_error", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
                    code, arena.allocateFrom(text));
        }
    }

    /** The stub's {@code HANG_*} bits: which calls {@link #hang} makes block. */
    static final int HANG_ABORT = 1;
    static final int HANG_DESTROY = 2;
    static final int HANG_INIT = 4;
    static final int HANG_ALLREDUCE = 8;

    /** From now on the calls in {@code which} ({@code HANG_*} bits) block on every rank until {@link #releaseHangs}. */
    void hang(int which) {
        call("stub_hang", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), which, -1);
    }

    /** Lets every call blocked by {@link #hang} return, and every later one pass. */
    void releaseHangs() {
        call("stub_release_hangs", FunctionDescriptor.ofVoid());
    }

    /** The calls the stub received since its last reset, in order: {@code "name,name,..."}. */
    String calls() {
        try {
            MemorySegment s = (MemorySegment) LINKER.downcallHandle(lookup.find("stub_calls").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
            return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("stub_calls failed", t);
        }
    }

    private void call(String name, FunctionDescriptor d, Object... args) {
        try {
            LINKER.downcallHandle(lookup.find(name).orElseThrow(), d).invokeWithArguments(args);
        } catch (Throwable t) {
            throw new IllegalStateException(name + " failed", t);
        }
    }
}
