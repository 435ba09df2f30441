package io.ncclffm.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The dynamic loader's own explanation of why a library does not load ("GLIBC_2.38 not found", "wrong ELF
 * class"), which {@link java.lang.foreign.SymbolLookup#libraryLookup} does not pass on.
 */
final class DynamicLoader {

    private static final int RTLD_NOW = 2;

    private DynamicLoader() {
    }

    /** Calls {@code dlopen} once more and returns {@code dlerror()}, or a generic text if that is unavailable. */
    static String explainFailure(String path) {
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(CTypes.C_POINTER, CTypes.C_POINTER, CTypes.C_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(),
                    FunctionDescriptor.of(CTypes.C_STRING));
            MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(path), RTLD_NOW);
            if (!handle.equals(MemorySegment.NULL)) {
                return "the loader opened it on a second attempt; the first failure was not reproducible";
            }
            MemorySegment message = (MemorySegment) dlerror.invokeExact();
            return message.equals(MemorySegment.NULL) ? "dlopen failed without a message" : message.getString(0);
        } catch (Throwable t) {
            return "dlopen failed (" + t + ")";
        }
    }
}
