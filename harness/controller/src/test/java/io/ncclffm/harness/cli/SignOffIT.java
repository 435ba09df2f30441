package io.ncclffm.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ncclffm.testing.CSharedLibrary;

/**
 * Sign-off end to end, with the standalone jar as a GPU host runs it: four real runs of a CPU matrix into one reports
 * folder, whose one cell runs the binding's stand-in library (built with gcc) at world 1. The base runs the 2.22 build
 * of the stand-in; the candidates run its 2.28 build, another file, once saying the wrong version (its version check
 * fails), once right, and once wrong again. Then {@code compare} is run on pairs of those folders, and its exit status
 * and page are read back.
 */
class SignOffIT {

    @TempDir
    static Path dir;

    private static Path jar;
    private static Path reports;
    private static final List<Path> RUNS = new ArrayList<>();

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt"), err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("ncclffm " + String.join(" ", args) + " did not end within 4 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** One run of the one-cell matrix; returns its folder. */
    private static Path run(Path library, String version, int code) throws Exception {
        Path matrix = dir.resolve("m-" + RUNS.size() + ".yaml");
        Files.writeString(matrix, """
                cells:
                  - name: nccl
                    flavor: nccl
                    version: %s
                    host: {path: %s}
                    worlds: [1]
                    gpu: none
                    timeout: 2m
                    env: {STUB_NCCL_INIT: fail, STUB_NCCL_VERSION: "%d"}
                """.formatted(version, library, code));
        Result r = java("matrix", "--matrix", matrix.toString(), "--reports", reports.toString());
        assertTrue(r.exit() == 0 || r.exit() == 1, r.stdout() + r.stderr());
        Path run = reports.resolve("latest").toRealPath();
        RUNS.add(run);
        return run;
    }

    @BeforeAll
    static void fourRuns() throws Exception {
        jar = Path.of(System.getProperty("ncclffm.harness.jar", "target/ncclffm-harness-0.1.0-SNAPSHOT-all.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the standalone jar is built by mvn package: " + jar);
        String source = "../../binding/src/test/c/stub_nccl.c";
        Path nccl22 = CSharedLibrary.compile(dir.resolve("2.22").resolve("libnccl.so.2"), source);
        Path nccl28 = CSharedLibrary.compile(dir.resolve("2.28").resolve("libnccl.so.2"), source, "-DNCCL_2_28");
        reports = dir.resolve("reports");
        run(nccl22, "2.22.3", 22203);
        run(nccl28, "2.28.3", 22804);
        run(nccl28, "2.28.3", 22803);
        run(nccl28, "2.28.3", 22804);
    }

    private static Result compare(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("compare"));
        all.addAll(List.of(args));
        return java(all.toArray(String[]::new));
    }

    private static String page(Path run) throws Exception {
        return Files.readString(run.resolve("signoff.md"));
    }

    @Test
    void aCandidateWhoseVersionCheckNowFails_isNoGo_listingTheCheck_andTheLibraryThatChanged() throws Exception {
        Result r = compare(RUNS.get(0).toString(), RUNS.get(1).toString());
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        String last = r.stdout().strip().lines().reduce((a, b) -> b).orElse("");
        assertEquals("NO-GO: 1 check(s) now fail: version [nccl w1]", last);
        String md = page(RUNS.get(1));
        assertTrue(md.strip().endsWith("NO-GO: 1 check(s) now fail: version \\[nccl w1\\]"), md);
        assertTrue(md.contains("| version | nccl w1 | now fail ✗ | 1 |  | version (passed → failed: "), md);
        assertTrue(md.contains("- nccl w1 release: NCCL 2.22.3 → NCCL 2.28.3"), md);
        assertTrue(md.contains("- nccl w1 library: "), "the library's sha256 changed: " + md);
        assertTrue(Files.readString(RUNS.get(1).resolve("signoff.html")).contains("class=\"verdict nogo\""));
    }

    @Test
    void aCandidateThatPassesWhatTheBasePassed_isGo_andStillListsTheLibraryChange() throws Exception {
        Path out = dir.resolve("go");
        Result r = compare(RUNS.get(0).toString(), RUNS.get(2).toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stdout().strip().endsWith("\nGO"), r.stdout());
        String md = Files.readString(out.resolve("signoff.md"));
        assertTrue(md.contains("- nccl w1 library: "), md);
        assertTrue(md.contains("check(s) on both sides"), md);
    }

    @Test
    void aCheckThatPassedAndFailedInRecentRunsOfTheSameLibrary_isFlaky_andStopsNothing_withinItsWindow() throws Exception {
        Result flaky = compare(RUNS.get(0).toString(), RUNS.get(3).toString(), "--out", dir.resolve("flaky").toString());
        assertEquals(0, flaky.exit(), "runs 2-4 of the 2.28 file failed, passed, failed: " + flaky.stdout() + flaky.stderr());
        String md = Files.readString(dir.resolve("flaky").resolve("signoff.md"));
        assertTrue(md.contains("now fail: 1 (1 flaky)"), md);
        Result oneRun = compare(RUNS.get(0).toString(), RUNS.get(3).toString(), "--out", dir.resolve("window").toString(),
                "--flaky-window", "1");
        assertEquals(1, oneRun.exit(), "a window of one run sees no flakiness: " + oneRun.stdout());
    }

    @Test
    void twoCellsNamedWithAt_areCompared_andWrongArgumentsExit2NamingWhatWasExpected() throws Exception {
        Result cells = compare(RUNS.get(0) + "@nccl", RUNS.get(1) + "@nccl", "--out", dir.resolve("cells").toString());
        assertEquals(1, cells.exit(), cells.stdout() + cells.stderr());
        assertTrue(Files.readString(dir.resolve("cells").resolve("signoff.md")).contains("| version | nccl → nccl w1 | now fail ✗"));
        Result one = compare(RUNS.get(0).toString());
        assertEquals(2, one.exit());
        assertTrue(one.stderr().startsWith("expected two runs, BASE and CANDIDATE (RUNDIR or RUNDIR@CELL); got 1"), one.stderr());
        Result noCell = compare(RUNS.get(0) + "@absent", RUNS.get(1).toString());
        assertEquals(2, noCell.exit());
        assertTrue(noCell.stderr().contains("has no cell 'absent'; its cells: [nccl]"), noCell.stderr());
        Result noRun = compare(dir.toString(), RUNS.get(1).toString());
        assertEquals(2, noRun.exit());
        assertTrue(noRun.stderr().contains("is no run's folder"), noRun.stderr());
        assertFalse(Files.exists(dir.resolve("signoff.md")));
    }
}
