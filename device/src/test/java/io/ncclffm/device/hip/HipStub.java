package io.ncclffm.device.hip;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import io.ncclffm.testing.CSharedLibrary;

/**
 * Compiles {@code src/test/c/stub_hip.c} with gcc into {@code target/hip-stub/} and reads its counters: the stand-in
 * for libamdhip64 on machines without a ROCm GPU. {@link HipRuntime} loads the same file, so both see one state.
 */
final class HipStub {

    private static final Linker LINKER = Linker.nativeLinker();

    final Path path;
    private final SymbolLookup lookup;

    private HipStub(Path path) {
        this.path = path;
        this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
    }

    static HipStub build() throws Exception {
        return new HipStub(CSharedLibrary.compile(Path.of("target/hip-stub/libamdhip64_stub.so"), "src/test/c/stub_hip.c"));
    }

    private MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(lookup.find(name).orElseThrow(), d);
    }

    private int intCall(String name) {
        try {
            return (int) handle(name, FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(name, t);
        }
    }

    /** Frees what a test left allocated and zeroes every counter. */
    void reset() {
        try {
            handle("stub_reset", FunctionDescriptor.ofVoid()).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("stub_reset", t);
        }
    }

    /** The next stream created answers hipErrorNotReady to its first {@code queries} hipStreamQuery calls. */
    void nextStreamBusyFor(int queries) {
        try {
            handle("stub_next_stream_busy_for", FunctionDescriptor.ofVoid(JAVA_INT)).invokeExact(queries);
        } catch (Throwable t) {
            throw new IllegalStateException("stub_next_stream_busy_for", t);
        }
    }

    /** The next hipGraphInstantiate returns {@code code} and creates nothing. */
    void failNextGraphInstantiate(int code) {
        try {
            handle("stub_fail_next_graph_instantiate", FunctionDescriptor.ofVoid(JAVA_INT)).invokeExact(code);
        } catch (Throwable t) {
            throw new IllegalStateException("stub_fail_next_graph_instantiate", t);
        }
    }

    int liveAllocations() {
        return intCall("stub_live_allocations");
    }

    /** Streams, events, graphs and graph executables not yet destroyed. */
    int liveHandles() {
        return intCall("stub_live_handles");
    }

    int streamQueries() {
        return intCall("stub_stream_queries");
    }

    int graphLaunches() {
        return intCall("stub_graph_launches");
    }

    int currentDevice() {
        return intCall("stub_current_device");
    }
}
