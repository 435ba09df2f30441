package io.ncclffm.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import io.ncclffm.NcclUnsupportedException;
import io.ncclffm.NcclVersion;

/**
 * One C function of a loaded library, bound on first use (the jextract holder pattern, per instance so that one
 * process can load several libraries). A function the release does not export fails only when it is first
 * called, with {@link NcclUnsupportedException} naming the release that introduced it.
 */
public final class Downcall {

    private static final Linker LINKER = Linker.nativeLinker();

    private final NativeLibrary library;
    private final String name;
    private final FunctionDescriptor descriptor;
    private final NcclVersion since;
    private volatile MethodHandle handle;

    Downcall(NativeLibrary library, String name, FunctionDescriptor descriptor, NcclVersion since) {
        this.library = library;
        this.name = name;
        this.descriptor = descriptor;
        this.since = since;
    }

    public String name() {
        return name;
    }

    public NcclVersion since() {
        return since;
    }

    public boolean available() {
        return library.exports(name);
    }

    /** The downcall handle; throws {@link NcclUnsupportedException} if the library does not export the symbol. */
    public MethodHandle handle() {
        MethodHandle h = handle;
        if (h == null) {
            synchronized (this) {
                h = handle;
                if (h == null) {
                    MemorySegment address = library.find(name)
                            .orElseThrow(() -> new NcclUnsupportedException(name, library.describe(), since));
                    h = LINKER.downcallHandle(address, descriptor);
                    handle = h;
                }
            }
        }
        return h;
    }

    /** Rethrows what a downcall threw: unchecked as is, anything else wrapped (a downcall throws nothing checked). */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }
}
