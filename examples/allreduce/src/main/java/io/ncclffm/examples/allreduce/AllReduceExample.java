package io.ncclffm.examples.allreduce;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.Nccl;
import io.ncclffm.NcclException;
import io.ncclffm.ReduceOp;
import io.ncclffm.UniqueId;
import io.ncclffm.device.DeviceBuffer;
import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceRuntime;
import io.ncclffm.device.DeviceRuntimes;
import io.ncclffm.device.DeviceStream;

/**
 * Two ranks, one process each, one float32 sum allReduce. Without arguments it starts both ranks as child
 * processes of the same program; with {@code rank <r> <folder>} it is one rank. Rank 0 makes the unique ID and
 * writes its 128 bytes to {@code <folder>/unique-id}; rank 1 waits for that file. NCCL needs one communicator per
 * rank, and a communicator's init blocks until every rank has joined, so the ranks must be separate threads or
 * processes; processes keep this example's NCCL state apart the way a real job's is.
 *
 * <p>The library comes from {@code NCCLFFM_SO_PATH} (else {@code libnccl.so.2}). Exit codes: 0 the result is
 * right; {@value #EXIT_INIT_REFUSED} NCCL refused to create the communicator (on a machine without a usable GPU,
 * with NCCL's own words); {@value #EXIT_WRONG_RESULT} the result is wrong; 1 anything else.
 */
public final class AllReduceExample {

    static final int WORLD = 2;
    static final int COUNT = 4;
    static final int EXIT_INIT_REFUSED = 3;
    static final int EXIT_WRONG_RESULT = 4;

    private AllReduceExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("rank")) {
            System.exit(rank(Integer.parseInt(args[1]), Path.of(args[2])));
        }
        if (args.length != 0) {
            System.err.println("usage: AllReduceExample            (starts both ranks)\n"
                    + "       AllReduceExample rank <r> <folder>");
            System.exit(2);
        }
        System.exit(launch());
    }

    /** Starts both ranks as processes of this same program and module path, and combines their exit codes. */
    private static int launch() throws IOException, InterruptedException {
        Path folder = Files.createTempDirectory("ncclffm-allreduce-");
        String java = ProcessHandle.current().info().command().orElse("java");
        int gpus = gpuCount();
        List<Process> ranks = new ArrayList<>();
        for (int r = 0; r < WORLD; r++) {
            ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=io.ncclffm,io.ncclffm.device,jcuda",
                    "-p", System.getProperty("jdk.module.path"),
                    "-m", "io.ncclffm.examples.allreduce/" + AllReduceExample.class.getName(),
                    "rank", Integer.toString(r), folder.toString()).inheritIO();
            if (gpus < WORLD && System.getenv("NCCL_HOSTID") == null) {
                // Two ranks on one GPU: NCCL refuses them as duplicates on one host, unless each rank says it is
                // its own host; they then talk over sockets.
                pb.environment().put("NCCL_HOSTID", "ncclffm-example-rank-" + r);
                pb.environment().putIfAbsent("NCCL_SOCKET_IFNAME", "lo");
            }
            ranks.add(pb.start());
        }
        int worst = 0;
        for (Process p : ranks) {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.err.println("a rank did not finish within 120 s");
                worst = Math.max(worst, 1);
                continue;
            }
            int code = p.exitValue();
            worst = code == 0 ? worst : worst == 0 ? code : Math.min(worst, code);
        }
        System.out.println(worst == 0 ? "allReduce over " + WORLD + " ranks: right"
                : worst == EXIT_INIT_REFUSED ? "NCCL could not create the communicator (exit " + EXIT_INIT_REFUSED + ")"
                : "failed (exit " + worst + ")");
        return worst;
    }

    private static int gpuCount() {
        try {
            return DeviceRuntimes.open(DeviceRuntimes.Platform.CUDA).deviceCount();
        } catch (DeviceException e) {
            return 0;
        }
    }

    private static int rank(int rank, Path folder) throws Exception {
        Nccl nccl = Nccl.load();
        System.out.println("rank " + rank + ": " + nccl.flavor().displayName() + " " + nccl.version() + " from " + nccl.libraryPath());
        DeviceRuntime device = null;
        try {
            device = DeviceRuntimes.open(DeviceRuntimes.Platform.CUDA);
            // One device per rank where there are enough; NCCL picks up the current device at init.
            device.useDevice(rank % device.deviceCount());
        } catch (DeviceException e) {
            // Carry on: NCCL's own init error is the clearer message for a machine without a GPU.
            System.out.println("rank " + rank + ": no CUDA device (" + e.getMessage().lines().findFirst().orElse("") + ")");
            device = null;
        }
        UniqueId id = exchange(nccl, rank, folder);
        Communicator comm;
        try {
            comm = nccl.initRank(WORLD, rank, id);
        } catch (NcclException e) {
            System.out.println("rank " + rank + ": " + e.getMessage());
            return EXIT_INIT_REFUSED;
        }
        try (comm) {
            if (device == null) throw new IllegalStateException("NCCL made a communicator without a CUDA device");
            return allReduce(device, comm, rank);
        }
    }

    private static UniqueId exchange(Nccl nccl, int rank, Path folder) throws IOException, InterruptedException {
        Path file = folder.resolve("unique-id");
        if (rank == 0) {
            UniqueId id = nccl.newUniqueId();
            Path part = folder.resolve("unique-id.part");
            Files.write(part, id.toBytes());
            // A rename is atomic: rank 1 never reads half an ID.
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
            return id;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) throw new IOException("rank 0 wrote no unique ID to " + file + " within 60 s");
            Thread.sleep(20);
        }
        return UniqueId.fromBytes(Files.readAllBytes(file));
    }

    /** Rank r contributes r + 1 + i at element i; the sum over two ranks is 3 + 2i. */
    private static int allReduce(DeviceRuntime device, Communicator comm, int rank) {
        long bytes = COUNT * Float.BYTES;
        try (Arena arena = Arena.ofConfined();
             DeviceBuffer send = device.allocate(bytes);
             DeviceBuffer recv = device.allocate(bytes);
             DeviceStream stream = device.createStream()) {
            MemorySegment host = arena.allocate(bytes);
            for (int i = 0; i < COUNT; i++) host.setAtIndex(ValueLayout.JAVA_FLOAT, i, rank + 1 + i);
            device.copyToDevice(send.address(), host, bytes);
            comm.allReduce(send.address(), recv.address(), COUNT, DataType.FLOAT32, ReduceOp.SUM, stream.address());
            device.synchronize(stream, Duration.ofSeconds(30));
            device.copyToHost(host, recv.address(), bytes);
            StringBuilder got = new StringBuilder();
            boolean right = true;
            for (int i = 0; i < COUNT; i++) {
                float v = host.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                got.append(i == 0 ? "" : " ").append(v);
                right &= v == 3 + 2 * i;
            }
            System.out.println("rank " + rank + ": allReduce sum = [" + got + "]" + (right ? "" : ", expected [3.0 5.0 7.0 9.0]"));
            return right ? 0 : EXIT_WRONG_RESULT;
        }
    }
}
