package io.ncclffm.harness.worker;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import io.ncclffm.harness.protocol.TaskLines;

/**
 * The worker's event stream, on a file descriptor the library under test does not write to.
 *
 * <p>The library shares the rank's process, and NCCL writes its log to standard output by default
 * ({@code NCCL_DEBUG} without {@code NCCL_DEBUG_FILE}); so does any {@code printf} in it, even from an ELF destructor
 * after {@link Runtime#halt}. Before anything loads it, the worker therefore takes the pipe that standard output
 * leads to (what the launcher reads events from) for itself, as a new close-on-exec descriptor, and points
 * descriptor 1 at standard error. From then on whatever the library, the JVM or a child process prints to
 * "standard output" lands in the rank's log, and the launcher's event pipe carries the worker's lines alone.
 *
 * <p>This keeps stray and debug output out of the verdicts. Code in the process that sets out to find this
 * descriptor can still write to it; the controller's reconciliation of every rank's events with its plan, its
 * counts and its exit status is the defence against that.
 */
final class EventChannel {

    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    /** fcntl's F_DUPFD_CLOEXEC on Linux: duplicate to the lowest free descriptor at or above the argument. */
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int EINTR = 4;
    /** The lowest descriptor the channel may take; well above the standard three and the JVM's first files. */
    private static final int MIN_FD = 64;

    private EventChannel() {
    }

    /**
     * Moves standard output's pipe to a descriptor of the worker's own and points descriptor 1 at standard error;
     * returns the stream events are written to. Call it before loading any library.
     *
     * @throws IllegalStateException when the descriptors cannot be moved (then nothing has changed)
     */
    static PrintStream claimStandardOutput() {
        return claimStandardOutput(false);
    }

    /** As {@link #claimStandardOutput()}; with {@code slurmTask}, lines go out in pieces srun keeps whole ({@link TaskLines}). */
    static PrintStream claimStandardOutput(boolean slurmTask) {
        System.out.flush();
        Libc c = Libc.INSTANCE;
        int fd = c.call("fcntl", c.fcntl, STDOUT, F_DUPFD_CLOEXEC, MIN_FD);
        c.call("dup2", c.dup2, STDERR, STDOUT, 0);
        OutputStream raw = new FdOutputStream(fd);
        if (slurmTask) raw = TaskLines.framing(raw);
        return new PrintStream(new BufferedOutputStream(raw, 1 << 16), false, StandardCharsets.UTF_8);
    }

    /** Writes to a raw descriptor, the whole buffer, retrying interrupted and short writes. */
    private static final class FdOutputStream extends OutputStream {
        private final int fd;

        FdOutputStream(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(len);
                MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, len);
                MemorySegment state = arena.allocate(Libc.STATE);
                long done = 0;
                while (done < len) {
                    long n = (long) Libc.INSTANCE.write.invokeExact(state, fd, buf.asSlice(done), (long) len - done);
                    if (n < 0) {
                        int errno = (int) Libc.ERRNO.get(state, 0L);
                        if (errno == EINTR) continue;
                        throw new IOException("write to the event channel (fd " + fd + ") failed: errno " + errno);
                    }
                    done += n;
                }
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("write to the event channel (fd " + fd + ") failed", t);
            }
        }
    }

    /** The three libc calls, bound once, each reporting errno. */
    private static final class Libc {
        static final Libc INSTANCE = new Libc();
        static final StructLayout STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        final MethodHandle fcntl;
        final MethodHandle dup2;
        final MethodHandle write;

        private Libc() {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            fcntl = linker.downcallHandle(libc.find("fcntl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    errno, Linker.Option.firstVariadicArg(2));
            dup2 = linker.downcallHandle(libc.find("dup2").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
            write = linker.downcallHandle(libc.find("write").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                    errno);
        }

        /** fcntl(a, b, c) or dup2(a, b); the result, or an exception with errno. */
        int call(String name, MethodHandle h, int a, int b, int c) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(STATE);
                int r = h == fcntl ? (int) h.invokeExact(state, a, b, c) : (int) h.invokeExact(state, a, b);
                if (r < 0) throw new IllegalStateException(name + " failed: errno " + (int) ERRNO.get(state, 0L));
                return r;
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(name + " failed", t);
            }
        }
    }
}
