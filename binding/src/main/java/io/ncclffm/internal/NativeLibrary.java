package io.ncclffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Optional;

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
        return new Downcall(this, List.of(name), descriptor, since);
    }

    /**
     * A lazily bound C function that libraries export under different names ({@code names}, nccl.h's first); it
     * binds to the first one this library exports.
     */
    public Downcall downcall(List<String> names, FunctionDescriptor descriptor, NcclVersion since) {
        return new Downcall(this, names, descriptor, since);
    }

    /** How messages name this library, e.g. {@code NCCL 2.22.3 (/usr/lib/x86_64-linux-gnu/libnccl.so.2)}. */
    public String describe() {
        return description;
    }

    public void describeAs(String description) {
        this.description = description;
    }
}
