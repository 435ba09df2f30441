package io.ncclffm.harness.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixLoader;

/** Cells for launcher tests: the repository's Debian cells, variations of them, and stub-library process cells. */
final class TestCells {

    static final Matrix DEBIAN = MatrixLoader.load(Path.of("../../matrix/debian.yaml"));

    private TestCells() {
    }

    static Cell debian(String name) {
        return DEBIAN.cells().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static Cell with(Cell c, String name, String soPath, NcclVersion version, Duration timeout, Map<String, String> env) {
        return Cell.builder(name, c.flavor(), version).source(c.source(), soPath).worlds(c.worlds()).gpu(c.gpu())
                .timeout(timeout).env(env).network(c.network()).counts(c.counts()).checks(c.checks()).mode(c.mode())
                .line(c.line()).build();
    }

    /** A process cell over the stub library, whose init fails like NCCL's on a machine without a GPU. */
    static Cell stub(String name, Duration timeout) throws Exception {
        Path lib = StubNccl.build();
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, 22, 3))
                .source(new Cell.HostLibrary(lib.toString()), lib.toString()).worlds(List.of(2)).timeout(timeout)
                .env(Map.of("STUB_NCCL_INIT", "fail")).build();
    }

    /**
     * A container cell of {@code image} as it is (no library in it: the load check fails), for what happens around
     * the ranks rather than in them.
     */
    static Cell inImage(String name, String image, Duration timeout) {
        return Cell.builder(name, Flavor.NCCL, NcclVersion.of(2, 22, 3))
                .source(new Cell.ImageRef(image), "/usr/lib/x86_64-linux-gnu/libnccl.so.2").worlds(List.of(1)).timeout(timeout).build();
    }

    static Matrix matrixOf(Cell... cells) {
        return new Matrix(Path.of("test.yaml"), List.of(cells), List.of());
    }
}
