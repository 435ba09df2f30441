package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The parameter API against a real NCCL 2.30.7 ({@code -Dncclffm.nccl230=PATH/libnccl.so.2}, e.g. from the
 * {@code nvidia-nccl-cu13==2.30.7} wheel): it needs no GPU, since NCCL's parameters are process-wide. Not in CI,
 * which cannot fetch that release; the stub holds the same calls there.
 */
@EnabledIfSystemProperty(named = "ncclffm.nccl230", matches = ".+")
class ParameterApiRealLibraryTest {

    @Test
    void aValueTheEnvironmentSets_readsBackByKeyAndThroughItsHandle_withItsSource() throws Throwable {
        Nccl nccl = Nccl.load(Path.of(System.getProperty("ncclffm.nccl230")));
        assertTrue(nccl.supports(Feature.PARAMETERS) && nccl.supports(Feature.SIGNAL), nccl.toString());
        setenv("NCCL_DEBUG_TIMESTAMP_FORMAT", "[ncclffm %F %T] ");
        NcclParameters p = nccl.parameters();
        assertTrue(p.keys().contains("NCCL_DEBUG_TIMESTAMP_FORMAT"), p.keys().toString());
        assertEquals("[ncclffm %F %T] ", p.value("NCCL_DEBUG_TIMESTAMP_FORMAT"));
        assertEquals("[ncclffm %F %T] ", p.bind("NCCL_DEBUG_TIMESTAMP_FORMAT").string());
        assertTrue(p.settings().contains(new NcclParameters.Setting("NCCL_DEBUG_TIMESTAMP_FORMAT", "[ncclffm %F %T] ",
                NcclParameters.Source.ENVIRONMENT)), p.settings().toString());
        NcclException typed = assertThrows(NcclException.class, () -> p.bind("NCCL_DEBUG_TIMESTAMP_FORMAT").int32());
        assertEquals(NcclResult.INVALID_ARGUMENT.code(), typed.rawResult(), "a getter of another type is NCCL's error");
        assertEquals(4, p.bind("NCCL_DEBUG_TIMESTAMP_LEVELS").uint32(), "1 << NCCL_LOG_WARN, NCCL's default");
        assertThrows(NcclException.class, () -> p.value("NCCL_PROTO"), "NCCL_PROTO is not in 2.30.7's registry");
    }

    private static void setenv(String name, String value) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0, (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1));
        }
    }
}
