package io.ncclffm.harness.worker;

import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.ncclffm.Nccl;
import io.ncclffm.NcclLoadException;
import io.ncclffm.NcclResult;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/** Loading, version decoding and error strings: checks that need no GPU. */
final class LibraryChecks {

    private LibraryChecks() {
    }

    static CheckBody body(RankSession s, CheckKey.Library key) {
        return switch (key) {
            case LOAD -> load(s);
            case VERSION -> version(s);
            case ERROR_STRINGS -> errorStrings(s);
        };
    }

    /**
     * The binding's own way ({@code Nccl.load()}, from {@code NCCLFFM_SO_PATH}), unless the configuration names another
     * file: a Slurm task of a mixed cell, whose process environment is the whole step's ({@code SlurmTask}).
     */
    private static Nccl open(String configured) {
        if (configured == null || configured.equals(System.getenv(WorkerConfig.LIBRARY))) return Nccl.load();
        return Nccl.load(java.nio.file.Path.of(configured));
    }

    /**
     * Loads the library and says which file the process really runs ({@link WorkerEvent.Loaded}, before this check's
     * result). A library that loaded from a file that cannot be measured is broken: nothing after it could say what
     * was checked.
     */
    private static CheckBody load(RankSession s) {
        return () -> {
            try {
                s.nccl = open(s.config.library().path());
            } catch (NcclLoadException e) {
                return Outcome.failed(Cause.OTHER_FAILURE, e.getMessage());
            }
            LibraryFile file;
            try {
                file = LoadedLibrary.measure(s.nccl);
            } catch (IOException | IllegalStateException e) {
                String loaded = s.nccl.toString();
                s.nccl = null;
                return Outcome.broken("loaded " + loaded + " but cannot tell which file runs: " + e.getMessage());
            }
            s.events.accept(new WorkerEvent.Loaded(s.config.rank(), file));
            return Outcome.passed("loaded " + file.path() + " (" + file.size() + " bytes, sha256 " + file.sha256() + ", "
                            + (file.buildLine() != null ? file.buildLine() : "no build line") + ") for " + s.nccl.libraryPath()
                            + " from the " + s.nccl.librarySource(),
                    Map.of("path", s.nccl.libraryPath(), "source", s.nccl.librarySource()));
        };
    }

    private static CheckBody version(RankSession s) {
        return () -> {
            Nccl nccl = s.nccl;
            Map<String, String> data = new LinkedHashMap<>();
            data.put("code", Integer.toString(nccl.versionCode()));
            data.put("version", nccl.version().toString());
            data.put("flavor", nccl.flavor().name());
            String expectedVersion = s.config.library().expectedVersion();
            String expectedFlavor = s.config.library().expectedFlavor();
            if (expectedVersion == null && expectedFlavor == null) {
                return Outcome.skipped(Cause.NOT_CONFIGURED, "the cell sets no expected version or flavor; decoded " + nccl.flavor().displayName()
                        + " " + nccl.version() + " from code " + nccl.versionCode());
            }
            String got = nccl.flavor().displayName() + " " + nccl.version() + " (code " + nccl.versionCode() + ")";
            if (expectedVersion != null && !nccl.version().equals(NcclVersion.parse(expectedVersion))) {
                return Outcome.failed(Cause.WRONG_VERSION, "decoded " + got + ", but the cell expects version " + expectedVersion, data);
            }
            if (expectedFlavor != null && !nccl.flavor().name().equalsIgnoreCase(expectedFlavor)) {
                return Outcome.failed(Cause.WRONG_VERSION, "decoded " + got + ", but the cell expects flavor " + expectedFlavor, data);
            }
            return Outcome.passed("decoded " + got + " as expected", data);
        };
    }

    /**
     * {@code ncclGetErrorString} answers for every code, the six codes every release has are told apart, and a
     * code no release defines does not crash.
     */
    private static CheckBody errorStrings(RankSession s) {
        return () -> {
            Map<String, String> data = new LinkedHashMap<>();
            Set<String> distinct = new HashSet<>();
            for (int code = 0; code <= NcclResult.TIMEOUT.code(); code++) {
                String text = s.nccl.errorString(code);
                if (text == null || text.isBlank()) {
                    return Outcome.failed(Cause.OTHER_FAILURE, "ncclGetErrorString(" + code + ") returned " + (text == null ? "NULL" : "an empty string"));
                }
                data.put(Integer.toString(code), text);
                if (code <= NcclResult.INVALID_USAGE.code()) distinct.add(text);
            }
            String unknown = s.nccl.errorString(9999);
            data.put("9999", String.valueOf(unknown));
            if (distinct.size() != 6) {
                return Outcome.failed(Cause.OTHER_FAILURE, "codes 0..5 must have six distinct texts, got " + distinct.size() + ": " + data, data);
            }
            return Outcome.passed("read " + data.size() + " error strings, e.g. 1 = '" + data.get("1") + "'", data);
        };
    }
}
