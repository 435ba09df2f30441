package io.ncclffm.harness.matrix;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;

/**
 * One column of the compatibility grid: a library build, how to get it, and how to run it.
 *
 * @param name     unique, stable (it keys Allure's history)
 * @param flavor   NCCL or RCCL
 * @param version  the version the library must report (RCCL: the NCCL API level)
 * @param source   where the library comes from
 * @param soPath   the library's path where the worker runs (inside the container, or on this host); {@code null}
 *                 for a {@link Coordinates} cell until its library is resolved
 * @param worlds   the world sizes to run, each a separate communicator
 * @param gpu      GPU assignment
 * @param timeout  for the whole cell at one world size; a rank still running then is killed and reported
 * @param env      extra environment for every rank (e.g. NCCL_DEBUG)
 * @param network  containers only: {@code cell} (a network of its own) or {@code host}
 * @param counts   allReduce element counts; empty = the worker's default
 * @param checks   check groups to run; empty = all
 * @param mode     {@code check} or {@code perf}
 * @param line     line of the cell in the matrix file, for messages
 */
public record Cell(
        String name,
        Flavor flavor,
        NcclVersion version,
        Source source,
        String soPath,
        List<Integer> worlds,
        GpuAssignment gpu,
        Duration timeout,
        Map<String, String> env,
        String network,
        List<Integer> counts,
        List<String> checks,
        String mode,
        int line) {

    /** Where the library comes from. */
    public sealed interface Source {
        /** Whether ranks run in containers (all but {@link HostLibrary} and a process-launched {@link Coordinates}). */
        default boolean containerized() {
            return !(this instanceof HostLibrary);
        }
    }

    /** An image built from {@code images/<dir>} with build args; tagged by a hash of both. */
    public record BuildImage(String dir, Map<String, String> args) implements Source {
    }

    /** An existing image, tested as it is. */
    public record ImageRef(String ref) implements Source {
    }

    /** A minimal image made from this host's own files: the loader, libc, libstdc++ and this library. */
    public record HostFilesImage(String libraryPath) implements Source {
    }

    /** Process mode: the library on this host, run by local processes. */
    public record HostLibrary(String path) implements Source {
    }

    /**
     * A library named by coordinates (a Maven artifact, a Debian package, a wheel), resolved to a file on this host
     * before the cell runs; see {@link io.ncclffm.harness.library.Libraries}.
     *
     * @param library where the file comes from
     * @param launch  how ranks run on the resolved file
     */
    public record Coordinates(io.ncclffm.harness.library.LibrarySource library, Launch launch) implements Source {
        @Override
        public boolean containerized() {
            return launch == Launch.CONTAINER;
        }
    }

    /** How a {@link Coordinates} cell runs once its file is resolved. */
    public enum Launch {
        /** Ranks are local processes that load the resolved file (as {@link HostLibrary}). */
        PROCESS,
        /** Ranks run in a minimal image made from this host's files and the resolved file (as {@link HostFilesImage}). */
        CONTAINER
    }

    /** e.g. {@code NCCL 2.22.3} */
    public String displayVersion() {
        return flavor.displayName() + " " + version;
    }
}
