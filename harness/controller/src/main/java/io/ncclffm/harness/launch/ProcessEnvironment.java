package io.ncclffm.harness.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment of a rank process: an allow-list of the controller's own variables, then the worker's
 * ({@link WorkerEnvironment}, the cell's {@code env} included), then the rank's temporary folder. A rank runs the
 * library under test, which the harness does not trust, so it gets what NCCL, the GPU runtime, the JVM and the worker
 * need, and nothing else of the controller's: CI tokens, cloud keys and the like stay with the controller.
 *
 * <p>What passes, and why:
 * <ul>
 *   <li>{@code PATH}, {@code LD_LIBRARY_PATH}: where the driver, the runtime libraries and nccl-tests are found;</li>
 *   <li>{@code HOME}: the CUDA driver keeps its cache of kernels compiled from PTX under it (minutes per build on
 *       a first run);</li>
 *   <li>{@code USER}, {@code LOGNAME}, {@code LANG}, {@code LC_*}, {@code TZ}: who and where, for the libraries' log
 *       lines;</li>
 *   <li>{@code NCCL_*}, {@code CUDA_*}, {@code NVIDIA_*}, {@code HIP_*}, {@code ROCR_*}, {@code ROCM_*},
 *       {@code HSA_*}, {@code GPU_*}, {@code AMD_*}: the settings of NCCL/RCCL and of the GPU runtimes, which a GPU
 *       host's administrator sets for every job.</li>
 * </ul>
 * The controller's {@code NCCLFFM_*} variables do not pass: the launcher sets the worker's own. Anything else a cell
 * needs goes into its {@code env}, which the matrix file states for all to read.
 */
public final class ProcessEnvironment {

    /** Variables that pass by name. */
    public static final Set<String> NAMES = Set.of("PATH", "LD_LIBRARY_PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ");
    /** Variables that pass by prefix. */
    public static final List<String> PREFIXES = List.of("LC_", "NCCL_", "CUDA_", "NVIDIA_", "HIP_", "ROCR_", "ROCM_", "HSA_",
            "GPU_", "AMD_");

    private ProcessEnvironment() {
    }

    /** Whether the controller's variable {@code name} reaches a rank process. */
    public static boolean passes(String name) {
        return NAMES.contains(name) || PREFIXES.stream().anyMatch(name::startsWith);
    }

    /**
     * @param controller the controller's environment ({@link System#getenv()})
     * @param worker     the rank's own variables ({@link WorkerEnvironment#forRank}); they win over the controller's
     * @param tmp        the rank's private temporary folder, its {@code TMPDIR}: where the libraries' own temporary
     *                   files go
     */
    public static Map<String, String> of(Map<String, String> controller, Map<String, String> worker, Path tmp) {
        Map<String, String> env = new TreeMap<>();
        controller.forEach((k, v) -> {
            if (passes(k)) env.put(k, v);
        });
        env.put("TMPDIR", tmp.toString());
        env.putAll(worker);
        return env;
    }
}
