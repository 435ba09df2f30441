package io.ncclffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ncclffm.NcclVersion;

/**
 * A loaded shared library and where it came from. Symbols are looked up on demand; the library stays loaded for
 * the life of the process (NCCL cannot be unloaded safely once its threads exist).
 */
public final class NativeLibrary {

    private final String path;
    private final String source;
    private final SymbolLookup lookup;
    private volatile String description;
    /** Every function bound against this library, in the order bound (for the layout conformance test). */
    private final List<Downcall> downcalls = new CopyOnWriteArrayList<>();

    NativeLibrary(String path, String source, SymbolLookup lookup) {
        this.path = path;
        this.source = source;
        this.lookup = lookup;
        this.description = path;
    }

    /** Opens {@code path} (a file path or a soname for the dynamic loader's search). */
    static NativeLibrary open(String path, String source) {
        return new NativeLibrary(path, source, SymbolLookup.libraryLookup(path, Arena.global()));
    }

    public String path() {
        return path;
    }

    public String source() {
        return source;
    }

    public Optional<MemorySegment> find(String symbol) {
        return lookup.find(symbol);
    }

    public boolean exports(String symbol) {
        return lookup.find(symbol).isPresent();
    }

    /** A lazily bound C function of this library. */
    public Downcall downcall(String name, FunctionDescriptor descriptor, NcclVersion since) {
        return downcall(List.of(name), descriptor, since);
    }

    /**
     * A lazily bound C function that libraries export under different names ({@code names}, nccl.h's first); it
     * binds to the first one this library exports.
     */
    public Downcall downcall(List<String> names, FunctionDescriptor descriptor, NcclVersion since) {
        Downcall d = new Downcall(this, names, descriptor, since);
        downcalls.add(d);
        return d;
    }

    /** Every function bound against this library so far, each with its names and the release that added it. */
    public List<Downcall> downcalls() {
        return List.copyOf(downcalls);
    }

    /** How messages name this library, e.g. {@code NCCL 2.22.3 (/usr/lib/x86_64-linux-gnu/libnccl.so.2)}. */
    public String describe() {
        return description;
    }

    public void describeAs(String description) {
        this.description = description;
    }
}
