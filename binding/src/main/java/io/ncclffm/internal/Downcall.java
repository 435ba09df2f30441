package io.ncclffm.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

import io.ncclffm.NcclUnsupportedException;
import io.ncclffm.NcclVersion;

/**
 * One C function of a loaded library, bound on first use (the jextract holder pattern, per instance so that one
 * process can load several libraries). A function the release does not export fails only when it is first
 * called, with {@link NcclUnsupportedException} naming the release that introduced it. A function some libraries
 * export under another name (RCCL's {@code ncclAllToAll} for nccl.h's {@code ncclAlltoAll}) binds to whichever
 * of its names the library exports, in the order given.
 */
public final class Downcall {

    private static final Linker LINKER = Linker.nativeLinker();

    private final NativeLibrary library;
    private final List<String> names;
    private final FunctionDescriptor descriptor;
    private final NcclVersion since;
    private volatile MethodHandle handle;
    private volatile String exported;

    Downcall(NativeLibrary library, List<String> names, FunctionDescriptor descriptor, NcclVersion since) {
        if (names.isEmpty()) throw new IllegalArgumentException("a downcall needs at least one symbol name");
        this.library = library;
        this.names = List.copyOf(names);
        this.descriptor = descriptor;
        this.since = since;
    }

    /** The name nccl.h declares. */
    public String name() {
        return names.getFirst();
    }

    /** Every name the function may be exported under, nccl.h's first. */
    public List<String> names() {
        return names;
    }

    /**
     * The name the library exports the function under (the first of its names it exports), or nccl.h's name when
     * it exports none of them. It is looked up once: a collective names its function on every call (all-to-all is
     * {@code ncclAlltoAll} in NCCL and {@code ncclAllToAll} in RCCL), and a symbol lookup per call costs more than
     * the call's own downcall.
     */
    public String exportedName() {
        String e = exported;
        if (e == null) {
            e = names.stream().filter(library::exports).findFirst().orElse(names.getFirst());
            exported = e;
        }
        return e;
    }

    /** The C signature as FFM passes it. */
    public FunctionDescriptor descriptor() {
        return descriptor;
    }

    public NcclVersion since() {
        return since;
    }

    public boolean available() {
        return names.stream().anyMatch(library::exports);
    }

    /** The downcall handle; throws {@link NcclUnsupportedException} if the library does not export the symbol. */
    public MethodHandle handle() {
        MethodHandle h = handle;
        if (h == null) {
            synchronized (this) {
                h = handle;
                if (h == null) {
                    MemorySegment address = names.stream().map(library::find).flatMap(Optional::stream).findFirst()
                            .orElseThrow(() -> new NcclUnsupportedException(String.join(" or ", names),
                                    library.describe(), since));
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
