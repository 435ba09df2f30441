package io.ncclffm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one vendored header declares, as gcc lays it out: {@code src/test/c/layout/nccl_layout.c} built against the
 * header with a {@code probes.h} of the given probes, run, and its output read. A probe the header cannot compile
 * (a name it does not declare) is {@linkplain #absent(String) absent}; that is decided by gcc rejecting the probe's
 * line, after which the program is built again without those lines and must then build cleanly.
 */
final class HeaderLayout {

    /** One member of {@code ncclConfig_t}: where it is, how wide, its C type class, its initializer value. */
    record Field(long offset, long width, String kind, String initial) {
    }

    /** {@code sizeof(ncclConfig_t)} and what {@code NCCL_CONFIG_INITIALIZER} puts in its first three members. */
    record Config(long sizeOf, long size, long magic, long version) {
    }

    /** A function's prototype as gcc prints it ({@code -aux-info}): the return type and each parameter's type. */
    record Prototype(String returns, List<String> parameters) {
    }

    /** {@code ncclSimInfo_t} and {@code NCCL_SIM_INFO_INITIALIZER}. */
    record SimInfo(long sizeOf, long size, long magic, long version, long estimatedTimeOffset) {
    }

    private static final Path SOURCE = Path.of("src/test/c/layout/nccl_layout.c").toAbsolutePath();
    private static final Path STANDIN = Path.of("src/test/c/layout/standin").toAbsolutePath();
    private static final Pattern PROBE_ERROR = Pattern.compile("^(?:\\./)?probes\\.h:(\\d+):\\d+: error:", Pattern.MULTILINE);
    private static final Pattern ERROR = Pattern.compile("^[^\\s:]+:\\d+:\\d+: error:", Pattern.MULTILINE);

    final VendoredHeader header;
    final Set<String> absent = new TreeSet<>();
    final Map<String, Long> sizes = new HashMap<>();
    final Map<String, Long> values = new HashMap<>();
    final Set<String> functions = new HashSet<>();
    final Map<String, Field> configFields = new LinkedHashMap<>();
    final Map<String, Prototype> prototypes = new HashMap<>();
    /** Each type the prototypes name (whitespace collapsed), as {@code BYTES/CLASS} of {@code __builtin_classify_type}. */
    final Map<String, String> types = new HashMap<>();
    Config config;
    /** A static {@code ncclConfig_t} set by {@code NCCL_CONFIG_INITIALIZER}, its padding zero. */
    byte[] configBytes;
    SimInfo simInfo;

    private HeaderLayout(VendoredHeader header) {
        this.header = header;
    }

    boolean absent(String probe) {
        return absent.contains(probe);
    }

    /**
     * Builds and runs the program for {@code header} in {@code work} (its own folder).
     *
     * @param probes lines of probes.h, e.g. {@code VALUE(ncclSum)}, {@code CONFIG_FIELD(minCTAs)}
     */
    static HeaderLayout probe(VendoredHeader header, List<String> probes, Path work) throws Exception {
        Files.createDirectories(work);
        HeaderLayout layout = new HeaderLayout(header);
        Path program = work.resolve("nccl_layout");
        Files.write(work.resolve("probes.h"), probes);
        String first = gcc(header, work, null);
        Set<Integer> rejected = new TreeSet<>();
        Matcher m = PROBE_ERROR.matcher(first);
        while (m.find()) rejected.add(Integer.parseInt(m.group(1)));
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            if (rejected.contains(i + 1)) layout.absent.add(probes.get(i)); else kept.add(probes.get(i));
        }
        Files.write(work.resolve("probes.h"), kept);
        String second = gcc(header, work, null);
        if (ERROR.matcher(second).find() || !Files.exists(work.resolve("protos.txt"))) {
            throw new IllegalStateException(header + ": nccl_layout.c does not build"
                    + (rejected.isEmpty() ? "" : " without the probes gcc rejected " + layout.absent) + ":\n" + second);
        }
        layout.readPrototypes(work.resolve("protos.txt"));
        // then the class of every type the bound functions' prototypes name, asked of gcc in a last build
        Set<String> typeNames = new TreeSet<>();
        for (String p : kept) {
            if (!p.startsWith("FUNCTION(")) continue;
            Prototype proto = layout.prototypes.get(p.substring("FUNCTION(".length(), p.length() - 1));
            if (proto == null) continue;
            typeNames.add(proto.returns());
            typeNames.addAll(proto.parameters());
        }
        // void (a function returning nothing: ncclParamDumpAll) has no size to probe; abiClass knows it as is.
        typeNames.remove("void");
        for (String t : typeNames) kept.add("TYPE(" + t + ")");
        Files.write(work.resolve("probes.h"), kept);
        String third = gcc(header, work, program);
        if (ERROR.matcher(third).find() || !Files.exists(program)) {
            throw new IllegalStateException(header + ": nccl_layout.c does not build with the TYPE probes:\n" + third);
        }
        layout.read(run(program));
        return layout;
    }

    /** Builds {@code program}, or with {@code null} only checks the source (and writes protos.txt if it is clean). */
    private static String gcc(VendoredHeader header, Path work, Path program) throws Exception {
        Files.deleteIfExists(work.resolve("protos.txt"));
        if (program != null) Files.deleteIfExists(program);
        String include = "<" + header.file().getFileName() + ">";
        List<String> cmd = new ArrayList<>(List.of("gcc", "-std=gnu17", "-O0", "-w", "-fmax-errors=0", "-ftrack-macro-expansion=0",
                "-I", STANDIN.toString(), "-I", header.file().getParent().toString(), "-I", ".",
                "-DLAYOUT_HEADER=" + include, "-aux-info", "protos.txt"));
        cmd.addAll(program == null ? List.of("-fsyntax-only") : List.of("-o", program.toString()));
        cmd.add(SOURCE.toString());
        return exec(cmd, work);
    }

    private static String run(Path program) throws Exception {
        return exec(List.of(program.toString()), program.getParent());
    }

    private static String exec(List<String> cmd, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");   // gcc's "error:" is translated in other locales
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd + " did not finish within 60 s");
        }
        if (p.exitValue() != 0 && !cmd.getFirst().equals("gcc")) {
            throw new IllegalStateException(cmd + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /**
     * The prototypes gcc wrote for the header's own declarations, e.g.
     * {@code extern ncclResult_t ncclAllReduce (const void *, void *, size_t, ...);} after a comment naming the
     * header's line. A declaration without parameters ({@code ncclGroupStart()}, shown as a comment) has none.
     */
    private void readPrototypes(Path protos) throws java.io.IOException {
        String file = "/" + header.file().getFileName() + ":";
        for (String line : Files.readAllLines(protos)) {
            int end = line.indexOf("*/");
            if (end < 0 || !line.substring(0, end).contains(file)) continue;
            Matcher m = PROTOTYPE.matcher(line.substring(end + 2).trim());
            if (!m.matches()) throw new IllegalStateException(header + ": unexpected -aux-info line: " + line);
            String params = m.group(3).replaceAll("/\\*.*?\\*/", "").trim();
            List<String> list = new ArrayList<>();
            if (!params.isEmpty() && !params.equals("void")) {
                for (String p : splitTopLevel(params)) list.add(normalize(p));
            }
            prototypes.put(m.group(2), new Prototype(normalize(m.group(1)), List.copyOf(list)));
        }
    }

    private static final Pattern PROTOTYPE = Pattern.compile("extern (.*?)\\b(\\w+) \\((.*)\\);");

    /** Splits a parameter list at its top-level commas (a function-pointer parameter has commas of its own). */
    private static List<String> splitTopLevel(String params) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < params.length(); i++) {
            char c = params.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                out.add(params.substring(start, i));
                start = i + 1;
            }
        }
        out.add(params.substring(start));
        return out;
    }

    static String normalize(String type) {
        return type.trim().replaceAll("\\s+", " ");
    }

    private void read(String output) {
        for (String line : output.split("\n")) {
            if (line.isBlank()) continue;
            if (line.startsWith("type|")) {
                String[] t = line.split("\\|");
                types.put(normalize(t[1]), t[2] + "/" + t[3]);
                continue;
            }
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "sizeof" -> sizes.put(f[1], Long.parseLong(f[2]));
                case "value" -> values.put(f[1], Long.parseLong(f[2]));
                case "function" -> functions.add(f[1]);
                case "config" -> config = new Config(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]));
                case "config.bytes" -> configBytes = java.util.HexFormat.of().parseHex(f[1]);
                case "config.field" -> configFields.put(f[1], new Field(Long.parseLong(f[2]), Long.parseLong(f[3]), f[4], f[5]));
                case "siminfo" -> simInfo = new SimInfo(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5]));
                default -> throw new IllegalStateException(header + ": unexpected line from nccl_layout: " + line);
            }
        }
    }
}
