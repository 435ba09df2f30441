package io.ncclffm.harness.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rank that runs as one task of a Slurm job step. {@code srun} gives every task of a step one environment, so the
 * launcher cannot tell each rank who it is: the rank takes its identity from Slurm ({@code SLURM_PROCID},
 * {@code SLURM_NTASKS}, {@code SLURM_LOCALID}), and finds rank 0 on the step's first node. Both directions are here:
 * {@link #stepEnvironment} (the launcher: one environment from every rank's own) and {@link #taskEnvironment} (the
 * worker: its own worker environment back from the step's and Slurm's variables).
 *
 * <p>What differs between ranks beyond their identity (a mixed cell's library and version) travels as
 * {@code NCCLFFM_R<rank>_<variable>}, and only worker variables may differ: NCCL and the GPU runtime read the
 * process's environment, which is the step's.
 */
public final class SlurmTask {

    /** Set by the Slurm launcher ({@code 1}): the worker takes its identity from Slurm. */
    public static final String MARKER = "NCCLFFM_SLURM";
    /**
     * The rendezvous host the launcher writes, which each task replaces with the step's first node: Slurm places
     * task 0 on the first node of the step under block and cyclic distribution alike, and the launcher asks for
     * block.
     */
    public static final String RANK0_NODE = "slurm-node-0";
    private static final String PER_RANK = "NCCLFFM_R";
    private static final Pattern PER_RANK_NAME = Pattern.compile("NCCLFFM_R(\\d+)_(.+)");
    /** What Slurm takes from each rank's own environment: its identity is Slurm's. */
    private static final List<String> IDENTITY = List.of(WorkerConfig.RANK, WorkerConfig.DEVICE);

    private SlurmTask() {
    }

    /**
     * The one environment of a step whose rank {@code r} would run with {@code perRank.get(r)}: what every rank has
     * alike as it is, what differs as {@code NCCLFFM_R<r>_<name>}, and the identity left to Slurm.
     *
     * @throws IllegalArgumentException when a variable that is no worker setting differs between ranks
     */
    public static Map<String, String> stepEnvironment(List<Map<String, String>> perRank) {
        Map<String, String> step = new LinkedHashMap<>();
        Map<String, String> first = perRank.getFirst();
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        perRank.forEach(e -> names.addAll(e.keySet()));
        for (String name : names) {
            if (IDENTITY.contains(name)) continue;
            boolean same = perRank.stream().allMatch(e -> Objects.equals(e.get(name), first.get(name)));
            if (same) {
                step.put(name, first.get(name));
                continue;
            }
            if (WorkerConfig.setBy(name).isEmpty()) {
                throw new IllegalArgumentException(name + " differs between ranks, but every task of a Slurm step has one "
                        + "environment; only worker settings may differ");
            }
            for (int r = 0; r < perRank.size(); r++) {
                String v = perRank.get(r).get(name);
                if (v != null) step.put(PER_RANK + r + "_" + name, v);
            }
        }
        step.put(MARKER, "1");
        return step;
    }

    /** Whether this process runs as a task of the Slurm launcher. */
    public static boolean applies(Map<String, String> env) {
        return "1".equals(env.get(MARKER));
    }

    /**
     * This task's worker environment: the step's, with its rank, world check and device from Slurm, its own
     * {@code NCCLFFM_R<rank>_} variables, and rank 0's node as the rendezvous host.
     *
     * @throws IllegalArgumentException naming the Slurm variable that is missing or does not fit
     */
    public static Map<String, String> taskEnvironment(Map<String, String> env) {
        int rank = slurmInt(env, "SLURM_PROCID");
        int tasks = slurmInt(env, "SLURM_NTASKS");
        int local = slurmInt(env, "SLURM_LOCALID");
        String world = env.get(WorkerConfig.WORLD);
        if (world != null && !world.strip().equals(Integer.toString(tasks))) {
            throw new IllegalArgumentException("SLURM_NTASKS=" + tasks + ", but the launcher asked for a world of " + world.strip()
                    + " (" + WorkerConfig.WORLD + ")");
        }
        Map<String, String> task = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (!PER_RANK_NAME.matcher(k).matches()) task.put(k, v);
        });
        env.forEach((k, v) -> {
            Matcher m = PER_RANK_NAME.matcher(k);
            if (m.matches() && m.group(1).equals(Integer.toString(rank))) task.put(m.group(2), v);
        });
        task.put(WorkerConfig.RANK, Integer.toString(rank));
        task.put(WorkerConfig.WORLD, Integer.toString(tasks));
        task.put(WorkerConfig.DEVICE, Integer.toString(device(env, local)));
        String rendezvous = task.get(WorkerConfig.RENDEZVOUS);
        if (rendezvous != null && rendezvous.startsWith(RANK0_NODE + ":")) {
            task.put(WorkerConfig.RENDEZVOUS, firstNode(nodeList(env)) + rendezvous.substring(RANK0_NODE.length()));
        }
        return task;
    }

    /**
     * The device ordinal a task opens: 0 where Slurm bound it one GPU ({@code --gpus-per-task=1} leaves it one entry
     * in {@code CUDA_VISIBLE_DEVICES} or {@code ROCR_VISIBLE_DEVICES}), else its place on its node.
     */
    static int device(Map<String, String> env, int localId) {
        for (String v : List.of("CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES")) {
            String d = env.get(v);
            if (d != null && !d.isBlank() && !d.contains(",")) return 0;
        }
        return localId;
    }

    private static String nodeList(Map<String, String> env) {
        for (String v : List.of("SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST")) {
            if (env.get(v) != null && !env.get(v).isBlank()) return env.get(v);
        }
        throw new IllegalArgumentException("SLURM_STEP_NODELIST=(unset): expected the step's nodes, to reach rank 0 on the first");
    }

    /**
     * The first host of a Slurm host list: {@code c[1-2],d3} gives {@code c1}, {@code n[07,09]x} gives {@code n07x}
     * (a range keeps its leading zeros), {@code a,b} gives {@code a}.
     */
    public static String firstNode(String hostList) {
        String list = hostList.strip();
        int open = list.indexOf('[');
        int comma = list.indexOf(',');
        if (open < 0 || (comma >= 0 && comma < open)) return comma < 0 ? list : list.substring(0, comma);
        int close = list.indexOf(']', open);
        if (close < 0) throw new IllegalArgumentException("SLURM_STEP_NODELIST='" + hostList + "': expected a Slurm host list");
        String first = list.substring(open + 1, close).split(",")[0].split("-")[0];
        String rest = list.substring(close + 1);
        int next = rest.indexOf(',');
        String suffix = next < 0 ? rest : rest.substring(0, next);
        if (suffix.contains("[")) throw new IllegalArgumentException("SLURM_STEP_NODELIST='" + hostList + "': more than one range in a name");
        return list.substring(0, open) + first + suffix;
    }

    private static int slurmInt(Map<String, String> env, String name) {
        String v = env.get(name);
        try {
            int i = Integer.parseInt(v == null ? "" : v.strip());
            if (i >= 0) return i;
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + "=" + (v == null ? "(unset)" : "'" + v + "'")
                + ": expected a number Slurm sets for every task of a step (is this a task of srun?)");
    }
}
