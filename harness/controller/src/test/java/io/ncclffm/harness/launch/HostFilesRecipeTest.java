package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a host-files image needs for the worker's own native code: read from the worker's jar, not known by name. */
class HostFilesRecipeTest {

    @Test
    void theNativeLibrariesInAJar_bringWhatLddSaysTheyNeed(@TempDir Path dir) throws Exception {
        Path so = StubNccl.build();
        Path jar = dir.resolve("worker.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("lib/libstub-linux-x86_64.so"));
            out.write(Files.readAllBytes(so));
            out.closeEntry();
            out.putNextEntry(new JarEntry("io/ncclffm/Some.class"));
            out.write(new byte[] {(byte) 0xca, (byte) 0xfe});
            out.closeEntry();
        }
        List<Path> needs = HostFilesRecipe.nativeNeeds(jar);
        assertEquals(HostFilesRecipe.sharedLibraries(so), needs, "exactly what ldd resolves for the one library in the jar");
        assertTrue(needs.stream().anyMatch(p -> p.getFileName().toString().startsWith("libc.so")), needs.toString());
    }

    @Test
    void aJarWithoutNativeCode_needsNothing(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("plain.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("a/B.class"));
            out.closeEntry();
        }
        assertEquals(List.of(), HostFilesRecipe.nativeNeeds(jar));
    }
}
