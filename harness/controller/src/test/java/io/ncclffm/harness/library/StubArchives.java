package io.ncclffm.harness.library;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.ncclffm.testing.CSharedLibrary;

/**
 * Archives that hold the binding's stand-in NCCL library ({@code binding/src/test/c/stub_nccl.c}, built with gcc):
 * a jar for a Maven repository and a wheel for pip, so resolution is tested end to end without real NCCL builds.
 */
final class StubArchives {

    private StubArchives() {
    }

    /** The stub library, built once per test run. */
    static synchronized Path stubLibrary() throws Exception {
        Path out = Path.of("target", "stub-library", "libnccl.so.2").toAbsolutePath();
        if (Files.exists(out)) return out;
        return CSharedLibrary.compile(out, "../../binding/src/test/c/stub_nccl.c");
    }

    /** A zip (jar or wheel) of the given entries, in order. */
    static Path zip(Path target, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return target;
    }

    /** A jar holding the stub at {@code entry}, with a manifest and a readme beside it. */
    static Path jar(Path target, String entry) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
        entries.put("README.txt", "stub\n".getBytes(StandardCharsets.UTF_8));
        entries.put(entry, Files.readAllBytes(stubLibrary()));
        return zip(target, entries);
    }

    /**
     * A valid wheel {@code <name>-<version>-py3-none-<platform>.whl} in {@code dir} holding the stub at
     * {@code <name>/lib/libnccl.so.2}, with the METADATA, WHEEL and RECORD files pip reads.
     */
    static Path wheel(Path dir, String name, String version, String platform) throws Exception {
        return wheel(dir, name, version, platform, Files.readAllBytes(stubLibrary()));
    }

    /** As {@link #wheel(Path, String, String, String)}, with {@code library} in place of the stub. */
    static Path wheel(Path dir, String name, String version, String platform, byte[] library) throws Exception {
        String distInfo = name + "-" + version + ".dist-info/";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(name + "/__init__.py", new byte[0]);
        entries.put(name + "/lib/libnccl.so.2", library);
        entries.put(distInfo + "METADATA", ("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n")
                .getBytes(StandardCharsets.UTF_8));
        entries.put(distInfo + "WHEEL", ("Wheel-Version: 1.0\nGenerator: ncclffm-tests\nRoot-Is-Purelib: false\nTag: py3-none-"
                + platform + "\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        for (var e : entries.entrySet()) {
            String digest = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(e.getValue()));
            record.append(e.getKey()).append(",sha256=").append(digest).append(',').append(e.getValue().length).append('\n');
        }
        record.append(distInfo).append("RECORD,,\n");
        entries.put(distInfo + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        return zip(dir.resolve(name + "-" + version + "-py3-none-" + platform + ".whl"), entries);
    }

    /** Hex SHA-256, computed here rather than by the code under test. */
    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
