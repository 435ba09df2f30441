package io.ncclffm.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import io.ncclffm.LibraryAttempt;
import io.ncclffm.NcclLoadException;

/**
 * Finds and opens the NCCL library, trying in order: an explicit path argument, the system property
 * {@value #PROPERTY}, the environment variable {@value #ENV}, and the platform default ({@value #NCCL_SONAME},
 * or {@value #RCCL_SONAME} on a ROCm machine).
 *
 * <p>The first source that is set decides. A configured path that fails is an error, not a reason to fall
 * through to the default: testing a different library than the one configured would make a green result lie.
 * The error lists every source with what was found there.
 */
public final class LibraryLocator {

    public static final String PROPERTY = "ncclffm.so.path";
    public static final String ENV = "NCCLFFM_SO_PATH";
    public static final String NCCL_SONAME = "libnccl.so.2";
    public static final String RCCL_SONAME = "librccl.so.1";

    private final Function<String, String> env;
    private final Function<String, String> properties;
    private final Predicate<Path> exists;

    public LibraryLocator(Function<String, String> env, Function<String, String> properties, Predicate<Path> exists) {
        this.env = env;
        this.properties = properties;
        this.exists = exists;
    }

    /** Reads the real environment, system properties and file system. */
    public static LibraryLocator system() {
        return new LibraryLocator(System::getenv, System::getProperty, Files::exists);
    }

    /** ROCm machines have the KFD device or a ROCm install and no NVIDIA control device. */
    public boolean isRocmMachine() {
        boolean nvidia = exists.test(Path.of("/dev/nvidiactl"));
        boolean rocm = exists.test(Path.of("/dev/kfd")) || exists.test(Path.of("/opt/rocm")) || env.apply("ROCM_PATH") != null;
        return rocm && !nvidia;
    }

    /** Resolves and opens the library, and checks that it is NCCL (it exports {@code ncclGetVersion}). */
    public NativeLibrary open(String explicitPath) {
        List<LibraryAttempt> attempts = new ArrayList<>();
        String[][] sources = {
                {"explicit path argument", explicitPath},
                {"system property " + PROPERTY, properties.apply(PROPERTY)},
                {"environment variable " + ENV, env.apply(ENV)},
        };
        for (String[] source : sources) {
            String value = source[1];
            if (value == null) {
                attempts.add(new LibraryAttempt(source[0], null, "not set"));
                continue;
            }
            if (value.isBlank()) {
                attempts.add(new LibraryAttempt(source[0], value, "is empty; expected the path of libnccl.so or librccl.so"));
                throw new NcclLoadException(attempts);
            }
            return openOrFail(source[0], value, attempts);
        }
        String soname = isRocmMachine() ? RCCL_SONAME : NCCL_SONAME;
        String why = isRocmMachine() ? "default on a ROCm machine" : "default";
        return openOrFail(why + " (dynamic loader search)", soname, attempts);
    }

    private NativeLibrary openOrFail(String source, String path, List<LibraryAttempt> attempts) {
        boolean isFilePath = path.contains("/");
        if (isFilePath) {
            Path p = Path.of(path);
            if (!exists.test(p)) {
                attempts.add(new LibraryAttempt(source, path, "no such file"));
                throw new NcclLoadException(attempts);
            }
            if (Files.isDirectory(p)) {
                attempts.add(new LibraryAttempt(source, path, "is a directory; expected the path of the shared library itself"));
                throw new NcclLoadException(attempts);
            }
        }
        NativeLibrary library;
        try {
            library = NativeLibrary.open(path, source);
        } catch (IllegalArgumentException e) {
            attempts.add(new LibraryAttempt(source, path, "does not load: " + DynamicLoader.explainFailure(path)));
            throw new NcclLoadException(attempts);
        }
        if (!library.exports("ncclGetVersion")) {
            attempts.add(new LibraryAttempt(source, path,
                    "loads, but is not NCCL or RCCL: it does not export ncclGetVersion"));
            throw new NcclLoadException(attempts);
        }
        return library;
    }
}
