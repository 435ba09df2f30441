package io.ncclffm.harness.launch;

import java.nio.file.Files;
import java.nio.file.Path;

import io.ncclffm.testing.CSharedLibrary;

/**
 * The binding's stand-in library ({@code binding/src/test/c/stub_nccl.c}), built with gcc, for process-mode
 * tests on a machine without NCCL: the worker loads it through NCCLFFM_SO_PATH like any library and gets a
 * version, error strings and unique IDs; {@code STUB_NCCL_INIT=fail} makes init fail like NCCL without a GPU, and
 * {@code STUB_NCCL_HANG} makes a call never return (the knobs are listed at the top of the source).
 */
final class StubNccl {

    private StubNccl() {
    }

    private static final Path SOURCE = Path.of("../../binding/src/test/c/stub_nccl.c");

    /** The stub, built once and again whenever its source is newer than the library (a test may need a new knob). */
    static synchronized Path build() throws Exception {
        Path out = Path.of("target", "stub", "libnccl_stub.so").toAbsolutePath();
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(SOURCE)) >= 0) return out;
        return CSharedLibrary.compile(out, SOURCE.toString());
    }
}
