package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import io.ncclffm.DataType;
import io.ncclffm.NcclResult;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.matrix.Cell;

/**
 * The binding's enum codes against a real nccl.h: Debian's libnccl-dev of sid (NCCL 2.29.7), installed in a
 * container built from the same recipe as the matrix images.
 */
class NcclHeaderIT {

    static String header;

    @BeforeAll
    static void readHeader(@TempDir Path dir) throws Exception {
        DockerRequirement.check();
        var docker = DockerClientFactory.instance().client();
        var images = ImageResolver.defaultImagesDir();
        String image = new ImageResolver(docker, images, null).resolve(new Cell.BuildImage("debian",
                Map.of("SUITE", "sid", "COMPONENTS", "main contrib", "PACKAGE", "libnccl-dev", "PACKAGE_VERSION", "2.29.7-1-1")));
        try (GenericContainer<?> c = new GenericContainer<>(image).withCommand("sleep", "120")
                .withLabels(Map.of(ContainerLauncher.LABEL, "header"))) {
            c.start();
            Path out = dir.resolve("nccl.h");
            c.copyFileFromContainer("/usr/include/nccl.h", out.toString());
            header = Files.readString(out);
        }
        Leftovers.assertNoContainersOrNetworks();
    }

    /** {@code name = value} pairs of the typedef'd enum whose last enumerator is {@code terminator}. */
    private static Map<String, Integer> enumerators(String terminator) {
        int end = header.indexOf(terminator);
        assertTrue(end > 0, "nccl.h has " + terminator);
        int start = header.lastIndexOf("typedef enum", end);
        Map<String, Integer> values = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(nccl\\w+)\\s*=\\s*(\\d+)").matcher(header.substring(start, end));
        while (m.find()) values.put(m.group(1), Integer.parseInt(m.group(2)));
        return values;
    }

    @Test
    void dataTypes_haveTheHeadersCodes() {
        Map<String, Integer> h = enumerators("ncclNumTypes");
        for (DataType t : DataType.values()) {
            if (t == DataType.UNKNOWN) continue;
            assertEquals(h.get(t.cName()), t.code(), t.cName());
        }
    }

    @Test
    void reduceOps_haveTheHeadersCodes() {
        Map<String, Integer> h = enumerators("ncclNumOps ");
        for (ReduceOp op : ReduceOp.values()) {
            if (op == ReduceOp.UNKNOWN) continue;
            assertEquals(h.get(op.cName()), op.code(), op.cName());
        }
    }

    @Test
    void results_haveTheHeadersCodes() {
        Map<String, Integer> h = enumerators("ncclNumResults");
        for (NcclResult r : NcclResult.values()) {
            if (r == NcclResult.UNKNOWN || !h.containsKey(r.cName())) continue;
            assertEquals(h.get(r.cName()), r.code(), r.cName());
        }
        for (var e : h.entrySet()) {
            assertEquals(e.getKey(), NcclResult.fromCode(e.getValue()).cName(), "the binding knows every result of 2.29.7");
        }
    }

    @Test
    void versionMacro_isTheOneTheBindingFollows() {
        assertTrue(header.contains("#define NCCL_VERSION(X,Y,Z) (((X) <= 2 && (Y) <= 8) ? (X) * 1000 + (Y) * 100 + (Z) : (X) * 10000 + (Y) * 100 + (Z))"),
                "nccl.h's NCCL_VERSION macro");
    }
}
