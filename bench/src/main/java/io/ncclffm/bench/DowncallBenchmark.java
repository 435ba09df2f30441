package io.ncclffm.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.ncclffm.Communicator;
import io.ncclffm.DataType;
import io.ncclffm.Nccl;
import io.ncclffm.ReduceOp;
import io.ncclffm.internal.LibraryLocator;
import io.ncclffm.internal.NcclCollectiveApi;

/**
 * What the binding adds to one {@code ncclAllReduce} call, measured against a library whose functions return at
 * once (bench/src/main/c/stub_nccl.c), so that nothing but the Java side and the native transition is timed.
 *
 * <ul>
 *   <li>{@code bareMethodHandle}: the floor, a {@code static final} downcall handle invoked directly, which is the
 *       best any FFM binding can do;</li>
 *   <li>{@code rawApi}: the binding's {@link NcclCollectiveApi}, whose handle is bound lazily and read from a
 *       field, so the JIT cannot treat it as a constant the way it treats the bare one;</li>
 *   <li>{@code communicatorAllReduce}: the public entry, adding the open-state check, the type and operator
 *       checks against the release, and the result check.</li>
 * </ul>
 *
 * <p>On a GPU an allReduce of 8 bytes takes microseconds, so these nanoseconds bound the Java overhead the perf
 * mode can show at small sizes. The stub path comes from the system property {@value #STUB_PROPERTY}, which
 * bench/run.sh sets after compiling the stub; forks inherit it with the host JVM's arguments.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DowncallBenchmark {

    static final String STUB_PROPERTY = "ncclffm.bench.stub";

    private static final Path STUB = stubPath();

    /** The same C signature the binding declares, bound once and held where the JIT sees a constant. */
    private static final MethodHandle BARE_ALL_REDUCE = Linker.nativeLinker().downcallHandle(
            SymbolLookup.libraryLookup(STUB, Arena.global()).find("ncclAllReduce").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    // Fields, not constants, so that every benchmark passes the same non-foldable arguments.
    private long send = 0x7f00_0000_1000L;
    private long recv = 0x7f00_0000_2000L;
    private long count = 2;
    private long stream = 0;
    private int float32 = DataType.FLOAT32.code();
    private int sum = ReduceOp.SUM.code();

    private NcclCollectiveApi raw;
    private Communicator communicator;
    private Nccl nccl;
    private MemorySegment comm;

    private static Path stubPath() {
        String value = System.getProperty(STUB_PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + STUB_PROPERTY
                    + " is not set; bench/run.sh compiles the stub library and sets it");
        }
        Path path = Path.of(value).toAbsolutePath();
        if (!Files.isRegularFile(path)) throw new IllegalStateException(STUB_PROPERTY + " names no file: " + path);
        return path;
    }

    @Setup(Level.Trial)
    public void openTheStub() {
        nccl = Nccl.load(STUB);
        // A real NCCL on the path would turn this into a benchmark of NCCL's argument checks; refuse it.
        if (!nccl.version().toString().equals("2.28.9")) {
            throw new IllegalStateException(STUB + " reports NCCL " + nccl.version() + ", not the stub's 2.28.9");
        }
        raw = new NcclCollectiveApi(LibraryLocator.system().open(STUB.toString()));
        communicator = nccl.initRank(1, 0, nccl.newUniqueId());
        comm = MemorySegment.ofAddress(communicator.address());
    }

    @TearDown(Level.Trial)
    public void closeTheCommunicator() {
        communicator.close();
    }

    @Benchmark
    public int bareMethodHandle() throws Throwable {
        return (int) BARE_ALL_REDUCE.invokeExact(send, recv, count, float32, sum, comm, stream);
    }

    @Benchmark
    public int rawApi() {
        return raw.ncclAllReduce(send, recv, count, float32, sum, comm, stream);
    }

    @Benchmark
    public void communicatorAllReduce() {
        communicator.allReduce(send, recv, count, DataType.FLOAT32, ReduceOp.SUM, stream);
    }

    /** A collective the binding gates by feature (ncclBroadcast, NCCL 2.2+), as every call checks it. */
    @Benchmark
    public void communicatorBroadcast() {
        communicator.broadcast(send, recv, count, DataType.FLOAT32, 0, stream);
    }

    /** ncclAlltoAll (NCCL 2.28+), which the binding names by the symbol the library exports (RCCL: ncclAllToAll). */
    @Benchmark
    public void communicatorAllToAll() {
        communicator.allToAll(send, recv, count, DataType.FLOAT32, stream);
    }

    /** The perf mode's sendrecv: one group of ncclSend and ncclRecv, four downcalls and two feature checks. */
    @Benchmark
    public void groupedSendRecv() {
        nccl.groupStart();
        try {
            communicator.send(send, count, DataType.FLOAT32, 0, stream);
            communicator.recv(recv, count, DataType.FLOAT32, 0, stream);
        } finally {
            nccl.groupEnd();
        }
    }
}
