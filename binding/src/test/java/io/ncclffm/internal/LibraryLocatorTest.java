package io.ncclffm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.NcclLoadException;

/**
 * Every way resolution can fail, against real files: a missing path, a directory, a real shared library that is
 * not NCCL (the machine's libz), a program where the library was expected, and nothing configured.
 */
class LibraryLocatorTest {

    private static final String LIBZ = "/usr/lib/x86_64-linux-gnu/libz.so.1";

    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> props = new HashMap<>();

    private LibraryLocator locator() {
        return new LibraryLocator(env::get, props::get, Files::exists);
    }

    @Test
    void missingFile_namesThePathAndItsSource() {
        env.put("NCCLFFM_SO_PATH", "/nonexistent/libnccl.so.2");
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> locator().open(null));
        assertTrue(e.getMessage().contains("environment variable NCCLFFM_SO_PATH '/nonexistent/libnccl.so.2': no such file"),
                e.getMessage());
        assertEquals(3, e.attempts().size(), "argument and property were not set, the variable failed");
        assertEquals("not set", e.attempts().get(0).failure());
    }

    @Test
    void nonNcclLibrary_isRejectedBecauseItLacksNcclGetVersion() {
        props.put("ncclffm.so.path", LIBZ);
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> locator().open(null));
        assertTrue(e.getMessage().contains("system property ncclffm.so.path '" + LIBZ
                + "': loads, but is not NCCL or RCCL: it does not export ncclGetVersion"), e.getMessage());
    }

    @Test
    void aProgramInsteadOfALibrary_carriesTheLoadersOwnWords(@TempDir Path dir) throws Exception {
        // A program (this JVM's launcher), not a text file: before loading, the JVM reads a library's ELF program
        // headers for a non-executable stack and prints a stack-guard warning for any file that is not ELF.
        Path launcher = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path fake = Files.copy(launcher, dir.resolve("libnccl.so.2"));
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> locator().open(fake.toString()));
        assertTrue(e.getMessage().contains("explicit path argument '" + fake + "': does not load: "), e.getMessage());
        // dlerror()'s words, e.g. "cannot dynamically load position-independent executable"
        assertTrue(e.getMessage().contains(fake + ": cannot dynamically load"), e.getMessage());
    }

    @Test
    void directory_isRejectedWithWhatWasExpected(@TempDir Path dir) {
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> locator().open(dir.toString()));
        assertTrue(e.getMessage().contains("is a directory; expected the path of the shared library itself"), e.getMessage());
    }

    @Test
    void nothingConfigured_triesTheDefaultAndListsEveryAttempt() {
        // This build machine has no NCCL installed, so the default soname does not resolve.
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> locator().open(null));
        String m = e.getMessage();
        assertTrue(m.startsWith("cannot load NCCL; tried 4 sources:"), m);
        assertTrue(m.contains("explicit path argument: not set"), m);
        assertTrue(m.contains("system property ncclffm.so.path: not set"), m);
        assertTrue(m.contains("environment variable NCCLFFM_SO_PATH: not set"), m);
        assertTrue(m.contains("default (dynamic loader search) 'libnccl.so.2': does not load: libnccl.so.2: cannot open shared object file"), m);
    }

    @Test
    void blankVariable_isAnErrorNotASilentFallback() {
        env.put("NCCLFFM_SO_PATH", "  ");
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> locator().open(null));
        assertTrue(e.getMessage().contains("is empty; expected the path of libnccl.so or librccl.so"), e.getMessage());
    }

    @Test
    void configuredPath_winsOverLaterSources() {
        props.put("ncclffm.so.path", "/nonexistent/from-property.so");
        env.put("NCCLFFM_SO_PATH", LIBZ);
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> locator().open(null));
        assertTrue(e.getMessage().contains("/nonexistent/from-property.so': no such file"), e.getMessage());
        assertEquals(2, e.attempts().size(), "the variable is never consulted once the property is set");
    }

    @Test
    void rocmMachine_defaultsToRccl() {
        LibraryLocator rocm = new LibraryLocator(env::get, props::get, p -> p.toString().equals("/dev/kfd"));
        assertTrue(rocm.isRocmMachine());
        NcclLoadException e = assertThrows(NcclLoadException.class, () -> rocm.open(null));
        assertTrue(e.getMessage().contains("default on a ROCm machine (dynamic loader search) 'librccl.so.1'"), e.getMessage());
        LibraryLocator both = new LibraryLocator(env::get, props::get,
                p -> p.toString().equals("/dev/kfd") || p.toString().equals("/dev/nvidiactl"));
        assertEquals(false, both.isRocmMachine(), "an NVIDIA machine with ROCm leftovers still uses NCCL");
    }
}
