package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.internal.CommConfig;

/**
 * Every vendored nccl.h (NVIDIA's releases 2.4.2 to 2.30.7, and RCCL's for the ROCm releases the matrices name)
 * against what the binding writes for that release: {@code ncclConfig_t} field by field, the enums, the constants
 * it passes, {@code ncclUniqueId}, and the release each bound function and {@link Feature} comes from. The header
 * is compiled by gcc ({@link HeaderLayout}); a header from a new tag, dropped into {@code src/test/resources/headers}
 * by its {@code generate.sh}, turns any drift into a failing test here. How it works: docs/binding.md.
 */
class LayoutConformanceTest {

    @TempDir
    static Path work;

    static BindingAbi abi;
    static List<HeaderLayout> layouts;

    @BeforeAll
    static void probeEveryHeader() throws Exception {
        abi = BindingAbi.read(work);
        List<String> probes = abi.probes();
        Map<VendoredHeader, HeaderLayout> done = new ConcurrentHashMap<>();
        List<VendoredHeader> headers = VendoredHeader.all();
        headers.parallelStream().forEach(h -> done.put(h, probe(h, probes)));
        layouts = headers.stream().map(done::get).toList();
    }

    private static HeaderLayout probe(VendoredHeader h, List<String> probes) {
        try {
            return HeaderLayout.probe(h, probes, work.resolve(h.file().getParent().getFileName().toString()));
        } catch (Exception e) {
            throw new IllegalStateException(h + ": " + e.getMessage(), e);
        }
    }

    private static List<HeaderLayout> nvidia() {
        return layouts.stream().filter(l -> l.header.flavor() == Flavor.NCCL).toList();
    }

    @Test
    void headers_coverEveryNvidiaRelease_2_4_to_2_30_7_andTheMatricesRccl() {
        List<String> nccl = nvidia().stream().map(l -> l.header.from()).toList();
        assertEquals("v2.4.2-1", nccl.getFirst());
        assertTrue(nccl.size() >= 60 && nccl.contains("v2.30.7-1"),
                "NVIDIA/nccl has 60 release tags from v2.4.2-1 to v2.30.7-1; vendored: " + nccl);
        assertEquals(List.of("2.13.4", "2.20.5", "2.27.7"), layouts.stream().filter(l -> l.header.flavor() == Flavor.RCCL)
                .map(l -> l.header.release().toString()).toList(), "RCCL of ROCm 5.4.3, 6.2.0 and 7.2.4");
    }

    @TestFactory
    Stream<DynamicNode> everyHeader_agreesWithTheBinding() {
        return layouts.stream().map(l -> dynamicContainer(l.header.label(), Stream.of(
                check("ncclConfig_t", () -> LayoutConformance.config(l, LayoutConformance.BINDING, nvidia())),
                check("enums", () -> new LayoutConformance.Result(LayoutConformance.enums(l), List.of())),
                check("constants and ncclUniqueId", () -> new LayoutConformance.Result(LayoutConformance.constants(l, abi), List.of())),
                check("functions and features", () -> new LayoutConformance.Result(LayoutConformance.functions(l, abi), List.of())),
                check("function signatures", () -> new LayoutConformance.Result(LayoutConformance.signatures(l, abi), List.of())))));
    }

    /** Fails on any difference; a known gap ({@link BindingAbi#PENDING_CONFIG_FIELDS}) is a skip that names it. */
    private static DynamicNode check(String name, ThrowingSupplier<LayoutConformance.Result> result) {
        return dynamicTest(name, () -> {
            LayoutConformance.Result r = result.get();
            assertTrue(r.problems().isEmpty(), r.problems().size() + " difference(s):\n" + String.join("\n", r.problems()));
            Assumptions.assumeTrue(r.gaps().isEmpty(), () -> String.join("\n", r.gaps()));
        });
    }

    private static HeaderLayout tag(String tag) {
        return nvidia().stream().filter(l -> l.header.from().equals(tag)).findFirst().orElseThrow(() -> new AssertionError("no header " + tag));
    }

    @Test
    void probes_seeWhatTheHeadersDeclare() {
        HeaderLayout v2_30_7 = tag("v2.30.7-1");
        assertTrue(v2_30_7.functions.contains("ncclCommGrow"), "2.30.7 declares ncclCommGrow");
        assertTrue(v2_30_7.absent("FUNCTION(ncclAllToAll)"), "NCCL spells it ncclAlltoAll: " + v2_30_7.absent);
        HeaderLayout v2_4_2 = tag("v2.4.2-1");
        assertEquals(null, v2_4_2.config, "2.4.2 has no ncclConfig_t");
        assertTrue(v2_4_2.absent("CONFIG_FIELD(blocking)"));
        assertEquals(128L, v2_4_2.sizes.get("ncclUniqueId"));
        assertEquals(new HeaderLayout.Field(40, 4, "int", Integer.toString(Integer.MIN_VALUE)), tag("v2.18.1-1").configFields.get("splitShare"));
        for (HeaderLayout l : layouts) {   // every declared function has its prototype, so none escapes the signature check
            List<String> declared = l.functions.stream().sorted().toList();
            assertTrue(declared.size() >= 19, l.header + " declares " + declared);
            assertEquals(declared, declared.stream().filter(l.prototypes::containsKey).toList(), l.header + ": prototypes");
        }
    }

    /** A wrong offset planted in the binding's table (splitShare 4 bytes late) fails, naming tag, field and both offsets. */
    @Test
    void plantedWrongOffset_failsNamingTagFieldAndBothOffsets() {
        LayoutConformance.ConfigWriter planted = (arena, release, values) -> CommConfig.allocate(arena, release, "planted", values,
                f -> f == ConfigField.SPLIT_SHARE ? CommConfig.offset(f) + 4 : CommConfig.offset(f));
        List<String> problems = LayoutConformance.config(tag("v2.18.1-1"), planted, nvidia()).problems();
        assertTrue(problems.contains("v2.18.1-1: ncclConfig_t.splitShare offset: header 40, binding 44"), String.join("\n", problems));
        assertEquals(List.of(), LayoutConformance.config(tag("v2.18.1-1"), LayoutConformance.BINDING, nvidia()).problems());
    }

    /** A config written with an older release's version, which NCCL would read as that release's layout, fails. */
    @Test
    void plantedOlderVersion_failsNamingTheReleaseInBetween() {
        LayoutConformance.ConfigWriter planted = (arena, release, values) -> {
            var s = LayoutConformance.BINDING.write(arena, release, values);
            s.set(java.lang.foreign.ValueLayout.JAVA_INT, 12, NcclVersion.of(2, 26, 0).code());
            return s;
        };
        List<String> problems = LayoutConformance.config(tag("v2.27.3-1"), planted, nvidia()).problems();
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("v2.27.3-1: ncclConfig_t.version: binding writes 22600 (2.26.0), but v2.26.2-1")),
                String.join("\n", problems));
    }

    /** A function dated one release late fails in the release that added it, and one dated early in the one before. */
    @Test
    void plantedWrongSince_failsInTheReleaseItMisdates() {
        List<String> late = LayoutConformance.functions(tag("v2.29.2-1"), abi.withSince("ncclCommGrow", NcclVersion.of(2, 29, 3)));
        assertTrue(late.contains("v2.29.2-1: ncclCommGrow (downcall ncclCommGrow (planted), since 2.29.3): header declared, binding absent"),
                String.join("\n", late));
        List<String> early = LayoutConformance.functions(tag("v2.28.9-1"), abi.withSince("ncclCommGrow", NcclVersion.of(2, 28, 9)));
        assertTrue(early.stream().anyMatch(p -> p.startsWith("v2.28.9-1: ncclCommGrow (") && p.endsWith("header absent, binding declared")),
                String.join("\n", early));
        assertEquals(List.of(), LayoutConformance.functions(tag("v2.29.2-1"), abi));
    }

    /** A downcall whose count is an int where nccl.h has size_t fails in every release that declares it. */
    @Test
    void plantedWrongDescriptor_failsNamingTheParameter() {
        var planted = abi.withDescriptor("ncclAllReduce", java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT,
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                java.lang.foreign.ValueLayout.JAVA_LONG));
        List<String> problems = LayoutConformance.signatures(tag("v2.4.2-1"), planted);
        assertEquals(List.of("v2.4.2-1: ncclAllReduce (downcall ncclAllReduce (planted)) parameter 3 (size_t): header integer8, binding integer4"),
                problems);
        assertEquals(List.of(), LayoutConformance.signatures(tag("v2.4.2-1"), abi));
        assertTrue(tag("v2.30.7-1").prototypes.get("ncclAllReduce").parameters().contains("cudaStream_t"));
    }

    /**
     * A member the binding lacks where sizeof cannot show it (an int in the struct's tail padding) is still caught:
     * 2.30.7's graphStreamOrdering, taken out of what the probes saw, is reported by the bytes its initializer sets.
     */
    @Test
    void memberHiddenInPadding_failsNamingItsBytes() {
        HeaderLayout v2_30_7 = tag("v2.30.7-1");
        HeaderLayout.Field hidden = v2_30_7.configFields.remove("graphStreamOrdering");
        try {
            assertEquals(92L, hidden.offset());
            List<String> problems = LayoutConformance.config(v2_30_7, LayoutConformance.BINDING, nvidia()).problems();
            assertTrue(problems.contains("v2.30.7-1: ncclConfig_t: NCCL_CONFIG_INITIALIZER sets bytes [95] that no member the "
                    + "binding knows covers: a member the binding lacks"), String.join("\n", problems));
        } finally {
            v2_30_7.configFields.put("graphStreamOrdering", hidden);
        }
    }
}
