package io.ncclffm.harness.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.ncclffm.harness.perf.judge.PerfFindings;
import io.ncclffm.harness.perf.judge.PerfVerdicts;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.verdict.Verdict;

/**
 * A matrix run's perf report: what its points show ({@link PerfFindings}), the verdicts made of that, and what is
 * written of it, every file and every attachment rendered from the same findings.
 *
 * @param findings    the judged values
 * @param verdicts    the report's verdicts, in the order it shows them ({@link PerfVerdicts})
 * @param files       the files of {@code reports/perf/} besides {@code points.jsonl}, by name, in the order written
 * @param attachments what a reviewer of each verdict reads, by the verdict's check id
 */
public record PerfReport(PerfFindings findings, List<Verdict> verdicts, Map<String, String> files,
                         Map<String, List<Attachment>> attachments) {

    public PerfReport {
        verdicts = List.copyOf(verdicts);
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        attachments = Map.copyOf(attachments);
    }

    /** One piece of evidence beside a verdict, e.g. the perf table as Markdown or a chart as SVG. */
    public record Attachment(String title, String mimeType, String content, String extension) {
    }

    /** The evidence beside the verdict {@code checkId}; none where it has none. */
    public List<Attachment> attachmentsOf(String checkId) {
        return attachments.getOrDefault(checkId, List.of());
    }

    /** Writes every point as measured ({@code points.jsonl}), then every file of the report, into {@code dir}. */
    public void write(Path dir) throws IOException {
        writePoints(dir, findings.measured());
        for (Map.Entry<String, String> file : files.entrySet()) Files.writeString(dir.resolve(file.getKey()), file.getValue());
    }

    /** The raw points as JSON lines ({@code points.jsonl}), written before anything derived from them can fail. */
    public static void writePoints(Path dir, List<PerfPoint> points) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("points.jsonl"), points.stream()
                .map(p -> EventCodec.mapper().valueToTree(p).toString()).collect(Collectors.joining("\n", "", "\n")));
    }

    /** The one verdict of a perf report that could not be made, with why. */
    public static Verdict broken(String why) {
        return PerfVerdicts.broken(why);
    }
}
