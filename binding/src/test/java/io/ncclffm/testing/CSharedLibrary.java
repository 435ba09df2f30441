package io.ncclffm.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds a C source of the repository into a shared library with gcc, for the tests that load a stand-in for NCCL
 * or HIP, the in-process C loop or the slow shim: {@code gcc -shared -fPIC -O0 -Wl,-z,noexecstack [flags] -o OUT SRC}
 * (a later {@code -O} in {@code flags} wins). A non-executable stack keeps the JVM from warning when it loads it.
 * The binding's tests own it; the device runtime's and the harness's tests take it from the binding's test jar.
 */
public final class CSharedLibrary {

    private CSharedLibrary() {
    }

    /**
     * @param out    the library to write (its folder is made)
     * @param source the C file, relative to the module whose tests run (e.g. {@code src/test/c/stub_nccl.c})
     * @param flags  more gcc options, e.g. {@code -O2}, {@code -DNCCL_2_28} or {@code -Wl,-soname,libnccl.so.2}
     * @throws IllegalStateException with the command and gcc's output when gcc fails or writes no library
     */
    public static Path compile(Path out, String source, String... flags) throws Exception {
        Files.createDirectories(out.toAbsolutePath().getParent());
        List<String> cmd = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-O0", "-Wl,-z,noexecstack"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", out.toAbsolutePath().toString(), Path.of(source).toAbsolutePath().toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(out)) {
            throw new IllegalStateException("gcc could not build " + source + " (" + cmd + "): " + log);
        }
        return out.toAbsolutePath();
    }
}
