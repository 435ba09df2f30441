package io.ncclffm.harness.launch;

import java.nio.file.Files;
import java.nio.file.Path;

import io.ncclffm.testing.CSharedLibrary;

/**
 * The binding's stand-in library ({@code binding/src/test/c/stub_nccl.c}), built with gcc, for process-mode
 * tests on a machine without NCCL: the worker loads it through NCCLFFM_SO_PATH like any library and gets a
 * version, error strings and unique IDs; {@code STUB_NCCL_INIT=fail} makes init fail like NCCL without a GPU.
 */
final class StubNccl {

    private StubNccl() {
    }

    static synchronized Path build() throws Exception {
        Path out = Path.of("target", "stub", "libnccl_stub.so").toAbsolutePath();
        if (Files.exists(out)) return out;
        return CSharedLibrary.compile(out, "../../binding/src/test/c/stub_nccl.c");
    }
}
