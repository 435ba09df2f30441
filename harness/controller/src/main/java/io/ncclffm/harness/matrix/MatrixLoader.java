package io.ncclffm.harness.matrix;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.library.LibrarySource;
import io.ncclffm.harness.protocol.WorkerConfig.Mode;
import io.ncclffm.harness.protocol.CheckSelection;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * Reads a matrix file (YAML). Every problem is reported with the file, the line and the field, and what was
 * expected: unknown keys, wrong types, missing fields, duplicate cells, a missing lowest or highest version.
 */
public final class MatrixLoader {

    /** Paths that name an open descriptor of the process rather than a file: /dev/fd/N and /proc/{self,PID}/fd/N. */
    private static final java.util.regex.Pattern DESCRIPTOR_PATH =
            java.util.regex.Pattern.compile("^/(dev/fd/|proc/(self|thread-self|\\d+)/(task/\\d+/)?fd/)");

    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private MatrixLoader() {
    }

    public static Matrix load(Path file) {
        if (Files.isDirectory(file)) throw new MatrixException("matrix file " + file + " is a directory; expected a YAML matrix file");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new MatrixException("matrix file " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new MatrixException("matrix file " + file + " cannot be read: permission denied", e);
        } catch (CharacterCodingException e) {
            throw new MatrixException("matrix file " + file + " is not UTF-8 text; expected a YAML matrix file", e);
        } catch (IOException e) {
            throw new MatrixException("matrix file " + file + " cannot be read: " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    public static Matrix parse(Path file, String yaml) {
        if (yaml.isBlank()) throw new MatrixException(file + ": the file is empty; expected 'cells:' with at least one cell");
        Map<String, Integer> lines = lineIndex(yaml);
        RawMatrix raw;
        try {
            raw = MAPPER.readValue(yaml, RawMatrix.class);
        } catch (JsonProcessingException e) {
            throw new MatrixException(describe(file, e, lines, yaml), e);
        }
        if (raw == null) throw new MatrixException(file + ": the file is empty; expected 'cells:' with at least one cell");
        return new Validator(file, raw, lines).validate();
    }

    /**
     * Turns Jackson's exception into "file, line N, field a.b[2].c: problem". The line of a field comes from the
     * file's own index (Jackson's location can point past the offending node); a syntax error takes SnakeYAML's marks.
     */
    static String describe(Path file, JsonProcessingException e, Map<String, Integer> lines, String yaml) {
        // A syntax error later in the file can first surface as a wrong type (an unclosed '[' swallows the next
        // lines), so the whole file's syntax is checked before blaming a field.
        JsonNode tree;
        try {
            tree = MAPPER.readTree(yaml);
        } catch (JsonProcessingException syntax) {
            for (Throwable t = syntax; t != null; t = t.getCause()) {
                if (t instanceof MarkedYAMLException marked) return syntaxError(file, marked, yaml);
            }
            tree = null;
        }
        JsonLocation loc = e.getLocation();
        Integer line = loc != null && loc.getLineNr() > 0 ? loc.getLineNr() : null;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            Integer indexed = lines.get(pointer(m.getPath()));
            if (indexed != null) line = indexed;
        }
        String where = file + (line != null ? ", line " + line : "");
        if (e instanceof JsonMappingException m && !(e.getCause() instanceof com.fasterxml.jackson.core.JsonParseException)
                && !(e instanceof com.fasterxml.jackson.core.JsonParseException)) {
            String field = path(m.getPath());
            if (e instanceof UnrecognizedPropertyException u) {
                return where + ", field " + field + ": unknown key '" + u.getPropertyName() + "'; expected one of "
                        + u.getKnownPropertyIds();
            }
            Type expected = typeAt(m.getPath());
            String words = expected != null ? words(expected)
                    : e instanceof MismatchedInputException mi && mi.getTargetType() != null ? words(mi.getTargetType())
                    : "a different value";
            return where + ", field " + field + ": expected " + words + ", got " + given(tree, m.getPath());
        }
        return where + ": not valid YAML: " + firstLine(e.getOriginalMessage());
    }

    /**
     * A YAML syntax error, at the line where SnakeYAML noticed it. An unclosed flow collection or quoted string is
     * reported where it was opened, which is where the fix goes: the parser only notices at the next key or at the
     * end of the file.
     */
    private static String syntaxError(Path file, MarkedYAMLException e, String yaml) {
        Mark problem = e.getProblemMark();
        Mark context = e.getContextMark();
        String what = e.getProblem() != null ? e.getProblem().strip() : "malformed YAML";
        String ctx = e.getContext() != null ? e.getContext().strip() : null;
        if (ctx != null && context != null && OPENED.containsKey(ctx)) {
            String noticed = problem == null ? ""
                    : problem.getIndex() >= yaml.codePointCount(0, yaml.length()) ? " before the end of the file"
                    : " before line " + (problem.getLine() + 1) + ", column " + (problem.getColumn() + 1);
            return file + ", line " + (context.getLine() + 1) + ": not valid YAML: the " + OPENED.get(ctx) + " opened at line "
                    + (context.getLine() + 1) + ", column " + (context.getColumn() + 1) + " is not closed" + noticed + " (" + what + ")";
        }
        String where = file + (problem != null ? ", line " + (problem.getLine() + 1) : "");
        String during = ctx != null && context != null ? " (" + ctx + " that starts at line " + (context.getLine() + 1) + ")" : "";
        return where + ": not valid YAML: " + what + during;
    }

    /** SnakeYAML's context for a collection or scalar that has an opening and a closing character. */
    private static final Map<String, String> OPENED = Map.of(
            "while parsing a flow mapping", "flow mapping '{'",
            "while parsing a flow sequence", "flow list '['",
            "while scanning a quoted scalar", "quoted string");

    /**
     * The Java type that the path leads to in {@link RawMatrix}, generics included, so that an error can say
     * "a list of cells" rather than the erased {@code ArrayList}; {@code null} where the path leaves the records.
     */
    static Type typeAt(List<JsonMappingException.Reference> refs) {
        Type t = RawMatrix.class;
        for (JsonMappingException.Reference r : refs) {
            if (t instanceof ParameterizedType p && p.getRawType() == List.class && r.getIndex() >= 0) {
                t = p.getActualTypeArguments()[0];
            } else if (t instanceof ParameterizedType p && p.getRawType() == Map.class && r.getFieldName() != null) {
                t = p.getActualTypeArguments()[1];
            } else if (t instanceof Class<?> c && c.isRecord() && r.getFieldName() != null) {
                Type next = null;
                for (RecordComponent rc : c.getRecordComponents()) {
                    if (rc.getName().equals(r.getFieldName())) next = rc.getGenericType();
                }
                if (next == null) return null;
                t = next;
            } else {
                return null;
            }
        }
        return t;
    }

    /** Nouns for the records a user writes as mappings; a record not named here is described by its keys. */
    private static final Map<Class<?>, String> NOUNS = Map.of(
            RawMatrix.class, "matrix",
            RawMatrix.RawCell.class, "cell",
            RawMatrix.RawWaiver.class, "waiver",
            RawMatrix.RawRange.class, "version range",
            RawMatrix.RawImage.class, "image",
            RawMatrix.RawHost.class, "host library",
            RawMatrix.RawPerf.class, "perf policy");

    /**
     * What a value of this type looks like to someone writing the YAML ("a list of cells", "an integer"), so
     * that no Java type name reaches the user.
     */
    static String words(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) return "a list of " + plural(args[0]);
            if (Map.class.isAssignableFrom(raw)) return "a mapping of names to " + plural(args[1]);
            return words(raw);
        }
        if (!(type instanceof Class<?> c)) return "a different value";
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class) return "an integer";
        if (c == Double.class || c == double.class || c == Float.class || c == float.class) return "a number";
        if (c == Boolean.class || c == boolean.class) return "true or false";
        if (c == String.class) return "a string";
        if (JsonNode.class.isAssignableFrom(c)) return "a value";
        if (List.class.isAssignableFrom(c) || c.isArray()) return "a list";
        if (Map.class.isAssignableFrom(c)) return "a mapping (key: value lines)";
        if (c.isRecord()) {
            String keys = "a mapping with keys " + String.join(", ",
                    Arrays.stream(c.getRecordComponents()).map(RecordComponent::getName).toList());
            String noun = NOUNS.get(c);
            return noun == null ? keys : article(noun) + " " + noun + " (" + keys + ")";
        }
        return "a different value";
    }

    private static String plural(Type element) {
        if (element instanceof Class<?> c && NOUNS.containsKey(c)) return NOUNS.get(c) + "s";
        return switch (words(element)) {
            case "an integer" -> "integers";
            case "a number" -> "numbers";
            case "a string" -> "strings";
            case "true or false" -> "true or false values";
            default -> element instanceof Class<?> c && c.isRecord() ? "mappings" : "values";
        };
    }

    private static String article(String noun) {
        return "aeiou".indexOf(noun.charAt(0)) >= 0 ? "an" : "a";
    }

    /** What the file holds at the path, in words: "a string 'nccl'", "the number 3", "a list". */
    private static String given(JsonNode tree, List<JsonMappingException.Reference> refs) {
        if (tree == null) return "something else";
        JsonPointer at = JsonPointer.empty();
        for (JsonMappingException.Reference r : refs) {
            at = r.getIndex() >= 0 ? at.appendIndex(r.getIndex()) : at.appendProperty(r.getFieldName());
        }
        JsonNode node = tree.at(at);
        if (node.isMissingNode()) return "something else";
        if (node.isNull()) return "an empty value";
        if (node.isTextual()) return "a string '" + node.asText() + "'";
        if (node.isBoolean()) return "the boolean " + node.asText();
        if (node.isNumber()) return "the number " + node.asText();
        if (node.isArray()) return "a list";
        if (node.isObject()) return "a mapping";
        return "'" + node.asText() + "'";
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String pointer(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            sb.append('/').append(r.getIndex() >= 0 ? Integer.toString(r.getIndex()) : r.getFieldName());
        }
        return sb.toString();
    }

    static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(r.getFieldName());
            }
        }
        return sb.isEmpty() ? "(top level)" : sb.toString();
    }

    /** Line of every node, keyed by JSON pointer ({@code /cells/1/worlds}). */
    private static Map<String, Integer> lineIndex(String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                String pointer = p.getParsingContext().pathAsPointer().toString();
                if (t == JsonToken.FIELD_NAME) {
                    pointer = pointer.isEmpty() ? "/" + p.currentName() : pointer;
                }
                lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
            }
        } catch (IOException e) {
            // Already parsed successfully above; a failure here only costs line numbers.
        }
        return lines;
    }

    private static final class Validator {
        private final Path file;
        private final RawMatrix raw;
        private final Map<String, Integer> lines;

        Validator(Path file, RawMatrix raw, Map<String, Integer> lines) {
            this.file = file;
            this.raw = raw;
            this.lines = lines;
        }

        private MatrixException error(String pointer, String field, String problem) {
            Integer line = lines.get(pointer);
            while (line == null && pointer.lastIndexOf('/') > 0) {
                pointer = pointer.substring(0, pointer.lastIndexOf('/'));
                line = lines.get(pointer);
            }
            return new MatrixException(file + (line != null ? ", line " + line : "") + ", field " + field + ": " + problem);
        }

        Matrix validate() {
            if (raw.cells() == null || raw.cells().isEmpty()) {
                throw error("/cells", "cells", "expected at least one cell");
            }
            RawMatrix.RawDefaults rd = raw.defaults() != null ? raw.defaults()
                    : new RawMatrix.RawDefaults(null, null, null, null, null, null, null);
            Inherited d = inherited("/defaults", "defaults", rd.worlds(), rd.gpu(), rd.timeout(), rd.env(), rd.network(),
                    rd.counts(), rd.checks(), Inherited.BUILT_IN);
            List<Cell> cells = new ArrayList<>();
            Map<String, Integer> names = new LinkedHashMap<>();
            // Mixed cells name other cells, so those are read first; the order of the file is kept.
            Map<String, Cell> single = new LinkedHashMap<>();
            for (int i = 0; i < raw.cells().size(); i++) {
                RawMatrix.RawCell rc = raw.cells().get(i);
                if (rc != null && rc.mix() == null) {
                    Cell c = cell(i, rc, d);
                    single.putIfAbsent(c.name(), c);
                }
            }
            for (int i = 0; i < raw.cells().size(); i++) {
                RawMatrix.RawCell rc = raw.cells().get(i);
                Cell c = rc != null && rc.mix() != null ? mixed(i, rc, d, single) : cell(i, rc, d);
                Integer previous = names.putIfAbsent(c.name(), c.line());
                if (previous != null) {
                    throw error("/cells/" + i + "/name", "cells[" + i + "].name", "duplicate cell '" + c.name()
                            + "' (first defined at line " + previous + "); cell names must be unique");
                }
                cells.add(c);
            }
            checkRange(cells);
            List<Waiver> waivers = new ArrayList<>();
            if (raw.waivers() != null) {
                for (int i = 0; i < raw.waivers().size(); i++) waivers.addAll(waivers(i, raw.waivers().get(i), names.keySet()));
            }
            return new Matrix(file, List.copyOf(cells), List.copyOf(waivers), perf(cells));
        }

        private Cell cell(int i, RawMatrix.RawCell c, Inherited d) {
            String at = "/cells/" + i;
            String f = "cells[" + i + "]";
            if (c == null) throw error(at, f, "expected a cell (a mapping with name, flavor, version, ...)");
            String name = require(c.name(), at + "/name", f + ".name", "a cell name such as nccl-2.22.3");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw error(at + "/name", f + ".name", "'" + name + "' must be letters, digits, '.', '_' or '-'");
            }
            Flavor flavor = word(at + "/flavor", f + ".flavor",
                    require(c.flavor(), at + "/flavor", f + ".flavor", Words.choices(Flavor.class)), Flavor.class);
            NcclVersion version;
            String versionText = require(c.version(), at + "/version", f + ".version", "the version the library reports, e.g. 2.22.3");
            try {
                version = NcclVersion.parse(versionText);
            } catch (IllegalArgumentException e) {
                throw error(at + "/version", f + ".version", e.getMessage());
            }
            Cell.Source source = c.library() != null || c.launch() != null ? coordinates(at, f, c, flavor) : source(at, f, c);
            String soPath = c.soPath();
            if (source instanceof Cell.Coordinates) {
                if (soPath != null) throw error(at + "/soPath", f + ".soPath", "a library cell's file is resolved from 'library'; leave soPath out");
            } else if (source instanceof Cell.HostLibrary h) {
                if (soPath != null && !soPath.equals(h.path())) {
                    throw error(at + "/soPath", f + ".soPath", "a host cell's library is host.path; leave soPath out");
                }
                soPath = h.path();
            } else if (source instanceof Cell.HostFilesImage hf) {
                soPath = soPath != null ? soPath : hf.pathInImage();
            } else {
                soPath = require(soPath, at + "/soPath", f + ".soPath", "the library's path inside the image");
            }
            if (soPath != null && !soPath.startsWith("/")) throw error(at + "/soPath", f + ".soPath", "expected an absolute path, got '" + soPath + "'");
            Inherited v = inherited(at, f, c.worlds(), c.gpu(), c.timeout(), c.env(), c.network(), c.counts(), c.checks(), d);
            Mode mode = c.mode() != null ? word(at + "/mode", f + ".mode", c.mode(), Mode.class) : Mode.CHECK;
            int line = lines.getOrDefault(at, lines.getOrDefault(at + "/name", 0));
            String release = c.release() == null || c.release().isBlank() ? null : c.release().strip();
            return new Cell(name, flavor, version, source, soPath, v.worlds(), v.gpu(), v.timeout(), v.env(),
                    v.network(), v.counts(), v.checks(), mode, line, release, List.of(), null, pin(at, f, c));
        }

        /**
         * The {@code sha256:} of the cell's library, host or image (exactly one of them is given, see
         * {@link #source} and {@link #coordinates}), in lower case; {@code null} when the cell pins none.
         */
        private String pin(String at, String f, RawMatrix.RawCell c) {
            String key = c.library() != null ? "library" : c.host() != null ? "host" : "image";
            String text = c.library() != null ? c.library().sha256() : c.host() != null ? c.host().sha256() : c.image().sha256();
            if (text == null) {
                // 'sha256:' written with no value reads as no pin at all; a pin the file meant to give is never dropped.
                if (lines.containsKey(at + "/" + key + "/sha256")) {
                    throw error(at + "/" + key + "/sha256", f + "." + key + ".sha256", "missing; expected the library file's SHA-256 "
                            + "as 64 hex digits (as sha256sum prints it), or no sha256 key for an unpinned library");
                }
                return null;
            }
            String hex = text.strip();
            if (!SHA256.matcher(hex).matches()) {
                throw error(at + "/" + key + "/sha256", f + "." + key + ".sha256", "expected the library file's SHA-256 as 64 hex "
                        + "digits (as sha256sum prints it), got '" + text + "'" + (hex.length() != 64 ? " (" + hex.length() + " characters)" : ""));
            }
            return hex.toLowerCase(java.util.Locale.ROOT);
        }

        private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

        /**
         * A mixed-release cell: {@code mix} names two or more cells whose libraries its ranks take in turn (rank r
         * runs {@code mix[r % n]}). It has no library of its own, and its members run as processes, since ranks of
         * one communicator share a host.
         */
        private Cell mixed(int i, RawMatrix.RawCell c, Inherited d, Map<String, Cell> single) {
            String at = "/cells/" + i;
            String f = "cells[" + i + "]";
            String name = require(c.name(), at + "/name", f + ".name", "a cell name such as mix-2.22.3-2.23.4");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw error(at + "/name", f + ".name", "'" + name + "' must be letters, digits, '.', '_' or '-'");
            }
            for (String[] k : new String[][] {{"flavor", c.flavor()}, {"version", c.version()}, {"soPath", c.soPath()},
                    {"launch", c.launch()}, {"release", c.release()}}) {
                if (k[1] != null) throw error(at + "/" + k[0], f + "." + k[0], "a mixed cell takes " + k[0] + " from the cells it mixes; leave it out");
            }
            if (c.image() != null || c.host() != null || c.library() != null) {
                throw error(at, f, "a mixed cell has no library of its own: 'mix' names the cells whose libraries its ranks run");
            }
            if (c.mix().size() < 2) throw error(at + "/mix", f + ".mix", "expected two or more cell names, got " + c.mix());
            List<Cell> members = new ArrayList<>();
            for (int k = 0; k < c.mix().size(); k++) {
                String m = c.mix().get(k);
                Cell member = m == null ? null : single.get(m);
                if (member == null) {
                    throw error(at + "/mix/" + k, f + ".mix[" + k + "]", "'" + m + "' is not a cell of this file (mixed cells cannot be mixed); cells are " + single.keySet());
                }
                if (member.source().containerized()) {
                    throw error(at + "/mix/" + k, f + ".mix[" + k + "]", "'" + m + "' runs in containers; a mixed cell's members run as processes (host.path, or library with launch: process)");
                }
                members.add(member);
            }
            Inherited v = inherited(at, f, c.worlds(), c.gpu(), c.timeout(), c.env(), c.network(), c.counts(), c.checks(), d);
            Mode mode = c.mode() != null ? word(at + "/mode", f + ".mode", c.mode(), Mode.class) : Mode.CHECK;
            if (mode != Mode.CHECK) throw error(at + "/mode", f + ".mode", "a mixed cell runs checks only, got '" + c.mode() + "'");
            int line = lines.getOrDefault(at, lines.getOrDefault(at + "/name", 0));
            Cell first = members.getFirst();
            return new Cell(name, first.flavor(), first.version(), first.source(), first.soPath(), v.worlds(), v.gpu(),
                    v.timeout(), v.env(), v.network(), v.counts(), v.checks(), mode, line, null, members, null, first.pinnedSha256());
        }

        /** The settings a cell inherits from {@code defaults}, validated where they are written. */
        private record Inherited(List<Integer> worlds, GpuAssignment gpu, Duration timeout, Map<String, String> env,
                                 Cell.Network network, List<Integer> counts, List<String> checks) {
            static final Inherited BUILT_IN = new Inherited(List.of(1), GpuAssignment.NONE, Duration.ofMinutes(10), Map.of(),
                    Cell.Network.CELL, List.of(), List.of());
        }

        /**
         * Validates the values written at {@code at} (the defaults or one cell); a value left out comes from
         * {@code parent}, already validated, so a bad default is reported at {@code defaults}, not at a cell.
         */
        private Inherited inherited(String at, String f, List<Integer> worlds, JsonNode gpu, String timeout,
                                    Map<String, String> env, String network, List<Integer> counts, List<String> checks,
                                    Inherited parent) {
            if (worlds != null && (worlds.isEmpty() || worlds.stream().anyMatch(w -> w == null || w < 1 || w > 64))) {
                throw error(at + "/worlds", f + ".worlds", "expected a non-empty list of world sizes in 1..64, got " + worlds);
            }
            Map<String, String> merged = new LinkedHashMap<>(parent.env());
            if (env != null) {
                for (var e : env.entrySet()) {
                    String k = e.getKey();
                    if (e.getValue() == null) {
                        throw error(at + "/env/" + k, f + ".env." + k, "missing; expected the variable's value ('' for empty)");
                    }
                    if (WorkerConfig.LAUNCHER_VARIABLES.contains(k)) {
                        throw error(at + "/env/" + k, f + ".env." + k, k + " is set by the launcher from the cell's own fields"
                                + " (library, checks, counts, mode, gpu) and each rank's place; leave it out of env");
                    }
                    if (k.equals("NCCL_DEBUG_FILE") && DESCRIPTOR_PATH.matcher(e.getValue()).find()) {
                        throw error(at + "/env/" + k, f + ".env." + k, "'" + e.getValue() + "' names an open file descriptor,"
                                + " and the worker's event pipe is one; expected a file path (NCCL expands %h and %p), or leave"
                                + " NCCL_DEBUG_FILE out and NCCL's log goes to the rank log");
                    }
                    if (WorkerConfig.SETTINGS.contains(k)) {
                        try {
                            WorkerConfig.checkSettings(Map.of(k, e.getValue()));
                        } catch (IllegalArgumentException bad) {
                            throw error(at + "/env/" + k, f + ".env." + k, bad.getMessage());
                        }
                    }
                    if (ContainerLimits.VARIABLES.contains(k)) {
                        try {
                            ContainerLimits.check(k, e.getValue());
                        } catch (IllegalArgumentException bad) {
                            throw error(at + "/env/" + k, f + ".env." + k, bad.getMessage());
                        }
                    }
                    merged.put(k, e.getValue());
                }
            }
            if (counts != null && counts.stream().anyMatch(n -> n == null || n < 1)) {
                throw error(at + "/counts", f + ".counts", "expected positive element counts, got " + counts);
            }
            if (checks != null) {
                for (int k = 0; k < checks.size(); k++) {
                    if (checks.get(k) == null || checks.get(k).isBlank() || !CheckSelection.NAMES.contains(checks.get(k))) {
                        throw error(at + "/checks/" + k, f + ".checks[" + k + "]", (checks.get(k) == null || checks.get(k).isBlank()
                                ? "missing" : "'" + checks.get(k) + "' selects nothing") + "; expected one of " + CheckSelection.NAMES);
                    }
                }
            }
            return new Inherited(
                    worlds != null ? List.copyOf(worlds) : parent.worlds(),
                    gpu != null ? gpu(at + "/gpu", f + ".gpu", gpu) : parent.gpu(),
                    timeout != null ? duration(at + "/timeout", f + ".timeout", timeout, null) : parent.timeout(),
                    Map.copyOf(merged),
                    network != null ? word(at + "/network", f + ".network", network, Cell.Network.class) : parent.network(),
                    counts != null ? List.copyOf(counts) : parent.counts(),
                    checks != null ? List.copyOf(checks) : parent.checks());
        }

        private Cell.Source source(String at, String f, RawMatrix.RawCell c) {
            int given = (c.image() != null ? 1 : 0) + (c.host() != null ? 1 : 0);
            if (given != 1) {
                throw error(at, f, "expected exactly one of 'image' (build, ref or fromHost), 'host' (path) or 'library' (maven, debian, pip or wheel), got " + given);
            }
            if (c.host() != null) {
                String p = require(c.host().path(), at + "/host/path", f + ".host.path", "the library's path on this host");
                return new Cell.HostLibrary(p);
            }
            RawMatrix.RawImage img = c.image();
            int kinds = (img.build() != null ? 1 : 0) + (img.ref() != null ? 1 : 0) + (img.fromHost() != null ? 1 : 0);
            if (kinds != 1) {
                throw error(at + "/image", f + ".image", "expected exactly one of build (a folder under images/), ref (an existing image) or fromHost (a library path)");
            }
            if (img.args() != null && img.build() == null) {
                throw error(at + "/image/args", f + ".image.args", "build args only apply to image.build");
            }
            if (img.build() != null) {
                if (!img.build().matches("[a-z0-9][a-z0-9._-]*")) {
                    throw error(at + "/image/build", f + ".image.build", "expected a folder name under images/, got '" + img.build() + "'");
                }
                return new Cell.BuildImage(img.build(), img.args() == null ? Map.of() : Map.copyOf(img.args()));
            }
            if (img.ref() != null) return new Cell.ImageRef(img.ref());
            return new Cell.HostFilesImage(img.fromHost());
        }

        /** A {@code library:} source and its {@code launch:}; relative paths are taken from the matrix file's folder. */
        private Cell.Source coordinates(String at, String f, RawMatrix.RawCell c, Flavor flavor) {
            int given = (c.image() != null ? 1 : 0) + (c.host() != null ? 1 : 0) + (c.library() != null ? 1 : 0);
            if (c.library() == null) {
                throw error(at + "/launch", f + ".launch", "launch applies to a 'library' source only; for images and host paths leave it out");
            }
            if (given != 1) {
                throw error(at + "/library", f + ".library", "expected exactly one of 'image', 'host' or 'library', got " + given);
            }
            Cell.Launch launch = c.launch() == null ? Cell.Launch.PROCESS : word(at + "/launch", f + ".launch", c.launch(), Cell.Launch.class);
            return new Cell.Coordinates(library(at + "/library", f + ".library", c.library(), flavor), launch);
        }

        private LibrarySource library(String at, String f, RawMatrix.RawLibrary l, Flavor flavor) {
            int kinds = (l.maven() != null ? 1 : 0) + (l.debian() != null ? 1 : 0) + (l.pip() != null ? 1 : 0) + (l.wheel() != null ? 1 : 0);
            if (kinds != 1) {
                throw error(at, f, "expected exactly one of maven (coordinates g:a[:ext[:classifier]]:v), debian ({package, version, "
                        + "suite, components}), pip (a requirement name==version) or wheel (a .whl file), got " + kinds);
            }
            if (l.debian() != null) {
                if (l.entry() != null) throw error(at + "/entry", f + ".entry", "a debian source names its file with 'file', not 'entry'");
                if (l.findLinks() != null) throw error(at + "/findLinks", f + ".findLinks", "findLinks applies to a pip source only");
                RawMatrix.RawDebian d = l.debian();
                String pkg = require(d.packageName(), at + "/debian/package", f + ".debian.package", "a Debian package name such as libnccl2");
                if (!pkg.matches("[a-z0-9][a-z0-9+.-]+")) {
                    throw error(at + "/debian/package", f + ".debian.package", "expected a Debian package name such as libnccl2, got '" + pkg + "'");
                }
                String version = require(d.version(), at + "/debian/version", f + ".debian.version", "the exact Debian version, e.g. 2.22.3-1-1");
                if (!version.matches("[0-9][A-Za-z0-9.+~:-]*")) {
                    throw error(at + "/debian/version", f + ".debian.version", "expected a Debian version such as 2.22.3-1-1, got '" + version + "'");
                }
                String suite = d.suite() == null ? "trixie" : d.suite();
                if (!suite.matches("[a-z][a-z0-9-]*")) throw error(at + "/debian/suite", f + ".debian.suite", "expected a suite such as trixie or sid, got '" + suite + "'");
                String components = d.components() == null ? "main contrib" : d.components();
                if (!components.matches("\\s*[a-z-]+(\\s+[a-z-]+)*\\s*")) {
                    throw error(at + "/debian/components", f + ".debian.components", "expected archive components separated by spaces, e.g. 'main contrib', got '" + components + "'");
                }
                String file = l.file() != null ? l.file()
                        : "/usr/lib/x86_64-linux-gnu/" + (flavor == Flavor.RCCL ? "librccl.so.1" : "libnccl.so.2");
                if (!file.startsWith("/")) throw error(at + "/file", f + ".file", "expected an absolute path inside the image, got '" + file + "'");
                return new LibrarySource.DebianPackage(pkg, version, suite, components, file);
            }
            if (l.file() != null) throw error(at + "/file", f + ".file", "'file' applies to a debian source; maven, pip and wheel sources name the file inside the archive with 'entry'");
            String entry = require(l.entry(), at + "/entry", f + ".entry", "the library's path inside the archive, e.g. nvidia/nccl/lib/libnccl.so.2");
            if (entry.startsWith("/") || entry.endsWith("/")) {
                throw error(at + "/entry", f + ".entry", "expected a file's path inside the archive (no leading or trailing '/'), got '" + entry + "'");
            }
            if (l.findLinks() != null && l.pip() == null) throw error(at + "/findLinks", f + ".findLinks", "findLinks applies to a pip source only");
            if (l.maven() != null) {
                try {
                    return new LibrarySource.MavenArtifact(l.maven(), entry);
                } catch (IllegalArgumentException e) {
                    throw error(at + "/maven", f + ".maven", "expected Maven coordinates groupId:artifactId[:extension[:classifier]]:version, got '" + l.maven() + "'");
                }
            }
            if (l.pip() != null) {
                if (!l.pip().matches("\\s*[A-Za-z0-9][A-Za-z0-9._-]*\\s*==\\s*[A-Za-z0-9][A-Za-z0-9.+!-]*\\s*")) {
                    throw error(at + "/pip", f + ".pip", "expected a pinned requirement name==version (the pin is what makes it cacheable), got '" + l.pip() + "'");
                }
                // Not checked for existence here: a host running from a libraries folder never reads it.
                Path findLinks = l.findLinks() == null ? null : relativeToMatrix(l.findLinks());
                return new LibrarySource.PipWheel(l.pip(), findLinks, entry);
            }
            if (!l.wheel().endsWith(".whl")) throw error(at + "/wheel", f + ".wheel", "expected a wheel file (*.whl), got '" + l.wheel() + "'");
            return new LibrarySource.WheelFile(relativeToMatrix(l.wheel()), entry);
        }

        private Path relativeToMatrix(String path) {
            Path parent = file.toAbsolutePath().getParent();
            return (parent == null ? Path.of(path) : parent.resolve(path)).toAbsolutePath().normalize();
        }

        private GpuAssignment gpu(String at, String f, JsonNode node) {
            if (node == null || node.isNull()) return GpuAssignment.NONE;
            if (node.isTextual()) {
                String v = node.asText();
                GpuAssignment.Vendor vendor = Words.parse(GpuAssignment.Vendor.class, v).orElseThrow(() -> error(at, f, "expected "
                        + String.join(", ", Words.all(GpuAssignment.Vendor.class)) + " or a mapping {vendor, assign, access, driverLibs}, got '" + v + "'"));
                return switch (vendor) {
                    case NONE -> GpuAssignment.NONE;
                    case NVIDIA -> new GpuAssignment(vendor, GpuAssignment.Assign.ALL, GpuAssignment.Access.TOOLKIT, null);
                    case AMD -> new GpuAssignment(vendor, GpuAssignment.Assign.ALL, GpuAssignment.Access.DEVICES, null);
                };
            }
            if (!node.isObject()) throw error(at, f, "expected none, nvidia, amd or a mapping {vendor, assign, access, driverLibs}");
            Set<String> known = Set.of("vendor", "assign", "access", "driverLibs");
            for (var it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) throw error(at + "/" + k, f + "." + k, "unknown key '" + k + "'; expected one of " + known);
            }
            GpuAssignment.Vendor vendor = word(at + "/vendor", f + ".vendor", text(node, "vendor", "nvidia"), GpuAssignment.Vendor.class);
            GpuAssignment.Assign assign = word(at + "/assign", f + ".assign", text(node, "assign", "all"), GpuAssignment.Assign.class);
            GpuAssignment.Access access = word(at + "/access", f + ".access", text(node, "access", "toolkit"), GpuAssignment.Access.class);
            return new GpuAssignment(vendor, assign, access, node.hasNonNull("driverLibs") ? node.get("driverLibs").asText() : null);
        }

        /** One of the enum's words ({@link Words}), or an error naming the field, the choices and what was given. */
        private <E extends Enum<E>> E word(String pointer, String field, String text, Class<E> type) {
            return Words.parse(type, text.strip().toLowerCase(java.util.Locale.ROOT)).orElseThrow(
                    () -> error(pointer, field, "expected " + Words.choices(type) + ", got '" + text + "'"));
        }

        private static String text(JsonNode node, String field, String def) {
            return node.hasNonNull(field) ? node.get(field).asText() : def;
        }

        private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h)");

        private Duration duration(String at, String f, String text, Duration def) {
            if (text == null) return def;
            Matcher m = DURATION.matcher(text.strip());
            if (!m.matches()) throw error(at, f, "expected a duration like 90s, 10m or 1h, got '" + text + "'");
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }

        private String require(String value, String pointer, String field, String expected) {
            if (value == null || value.isBlank()) throw error(pointer, field, "missing; expected " + expected);
            return value;
        }

        /** pgjdbc's rule: the lowest and highest supported versions of every flavor are always in the matrix. */
        private void checkRange(List<Cell> cells) {
            if (raw.supported() == null) return;
            for (var e : raw.supported().entrySet()) {
                Flavor flavor = word("/supported/" + e.getKey(), "supported." + e.getKey(), e.getKey(), Flavor.class);
                RawMatrix.RawRange r = e.getValue();
                for (String bound : new String[] {r == null ? null : r.lowest(), r == null ? null : r.highest()}) {
                    if (bound == null) throw error("/supported/" + e.getKey(), "supported." + e.getKey(), "expected lowest and highest");
                    NcclVersion v = NcclVersion.parse(bound);
                    if (cells.stream().noneMatch(c -> c.flavor() == flavor && c.version().equals(v))) {
                        throw error("/supported/" + e.getKey(), "supported." + e.getKey(), "no cell tests " + flavor.displayName()
                                + " " + v + "; the lowest and highest supported versions must always be in the matrix");
                    }
                }
            }
        }

        private Matrix.PerfPolicy perf(List<Cell> cells) {
            RawMatrix.RawPerf p = raw.perf();
            if (p == null) return null;
            String baseline = require(p.baseline(), "/perf/baseline", "perf.baseline",
                    "the perf cell others are compared with (a cell name or glob, e.g. perf-2.28.3-a), or a version");
            List<Cell> perfCells = cells.stream().filter(Cell::perf).toList();
            Set<String> baselineCells = perfBaselineCells(baseline, perfCells);
            double threshold = p.threshold() == null ? 0.10 : p.threshold();
            if (threshold <= 0 || threshold >= 1) {
                throw error("/perf/threshold", "perf.threshold", "expected a fraction in (0, 1), e.g. 0.10 for 10%, got " + threshold);
            }
            Matrix.PerfPolicy.Expectation expect = perfExpectation(p.expect());
            int runs = perfRuns(p.runs());
            Matrix.PerfPolicy.Pairing pairing = perfPairing(p.pairing(), perfCells);
            RawMatrix.RawNotJudged nj = p.notJudged();
            if (nj == null) {
                return new Matrix.PerfPolicy(baseline, baselineCells, threshold).withExpectation(expect).withRuns(runs).withPairing(pairing);
            }
            checkNotJudged(nj);
            return new Matrix.PerfPolicy(baseline, baselineCells, threshold, Set.copyOf(nj.worlds()), nj.reason().strip(), expect, runs,
                    pairing);
        }

        /** The perf cells {@code perf.baseline} names: by name or glob, else every perf cell of that version; one per world. */
        private Set<String> perfBaselineCells(String baseline, List<Cell> perfCells) {
            // A cell name first: two cells of one version (an A/A run) can only be told apart by name.
            List<Cell> named = perfCells.stream().filter(c -> Glob.matches(baseline, c.name())).toList();
            if (named.isEmpty()) {
                NcclVersion v;
                try {
                    v = NcclVersion.parse(baseline);
                } catch (IllegalArgumentException e) {
                    throw error("/perf/baseline", "perf.baseline", "no perf cell is named '" + baseline + "' (perf cells: "
                            + perfCells.stream().map(Cell::name).toList() + "), and it is no version either: " + e.getMessage());
                }
                named = perfCells.stream().filter(c -> c.version().equals(v)).toList();
                if (named.isEmpty()) throw error("/perf/baseline", "perf.baseline", "no perf cell measures " + v);
            }
            Map<Integer, String> byWorld = new java.util.HashMap<>();
            for (Cell c : named) {
                for (int w : c.worlds()) {
                    String other = byWorld.putIfAbsent(w, c.name());
                    if (other != null) {
                        throw error("/perf/baseline", "perf.baseline", "'" + baseline + "' names two perf cells of world "
                                + w + " (" + other + ", " + c.name() + "); name the one cell to compare with");
                    }
                }
            }
            return named.stream().map(Cell::name).collect(java.util.stream.Collectors.toSet());
        }

        private Matrix.PerfPolicy.Expectation perfExpectation(String expect) {
            if (expect == null) return Matrix.PerfPolicy.Expectation.NONE;
            return Words.parse(Matrix.PerfPolicy.Expectation.class, expect.strip()).orElseThrow(() -> error("/perf/expect", "perf.expect",
                    "expected 'none' (the default: any regression fails) or 'regression' (candidates slowed on purpose), got '"
                            + expect + "'"));
        }

        private int perfRuns(Integer runs) {
            if (runs == null) return Matrix.PerfPolicy.DEFAULT_RUNS;
            if (runs < 1 || runs > Matrix.PerfPolicy.MAX_RUNS) {
                throw error("/perf/runs", "perf.runs", "expected how many times each perf cell runs, each in a new "
                        + "process, from 1 to " + Matrix.PerfPolicy.MAX_RUNS + " (" + Matrix.PerfPolicy.DEFAULT_RUNS
                        + " when not set), got " + runs);
            }
            return runs;
        }

        /** In process where every perf cell can share a process with the baseline's library; else across processes. */
        private Matrix.PerfPolicy.Pairing perfPairing(String written, List<Cell> perfCells) {
            Cell apart = perfCells.stream().filter(c -> c.source().containerized() || c.mixed()).findFirst().orElse(null);
            if (written == null) return apart == null ? Matrix.PerfPolicy.Pairing.IN_PROCESS : Matrix.PerfPolicy.Pairing.ACROSS_PROCESSES;
            Matrix.PerfPolicy.Pairing pairing = Words.parse(Matrix.PerfPolicy.Pairing.class, written.strip()).orElseThrow(() -> error(
                    "/perf/pairing", "perf.pairing", "expected 'in-process' (each candidate times the baseline's library in its own "
                            + "process, trial by trial; the default where every perf cell runs as local processes) or "
                            + "'across-processes' (each side in processes of its own), got '" + written + "'"));
            if (pairing == Matrix.PerfPolicy.Pairing.IN_PROCESS && apart != null) {
                throw error("/perf/pairing", "perf.pairing", "in-process pairing loads the baseline's library in each "
                        + "candidate's own process, so every perf cell must run as local processes (host.path, or a "
                        + "library with launch: process); cell " + apart.name() + " (line " + apart.line() + ") "
                        + (apart.mixed() ? "mixes releases" : "runs in containers") + "; write pairing: across-processes");
            }
            return pairing;
        }

        private void checkNotJudged(RawMatrix.RawNotJudged nj) {
            if (nj.worlds() == null || nj.worlds().isEmpty()) {
                throw error("/perf/notJudged/worlds", "perf.notJudged.worlds", "expected a non-empty list of world sizes, e.g. [2, 4]");
            }
            for (int i = 0; i < nj.worlds().size(); i++) {
                Integer w = nj.worlds().get(i);
                if (w == null || w < 1) throw error("/perf/notJudged/worlds/" + i, "perf.notJudged.worlds[" + i + "]", "expected a world size >= 1, got " + w);
            }
            if (nj.reason() == null || nj.reason().isBlank()) {
                throw error("/perf/notJudged/reason", "perf.notJudged.reason", "say why these worlds are not judged; the regression report shows it");
            }
        }

        /** One waiver per check the entry names ({@code check} is one id or glob, or a list of them). */
        private List<Waiver> waivers(int i, RawMatrix.RawWaiver w, Set<String> cellNames) {
            String at = "/waivers/" + i;
            String f = "waivers[" + i + "]";
            String cell = require(w.cell(), at + "/cell", f + ".cell", "a cell name or glob");
            if (w.check() == null || w.check().isEmpty()) {
                throw error(at + "/check", f + ".check", "missing; expected a check id or glob, e.g. graph/*, or a list of them");
            }
            List<String> checks = new ArrayList<>();
            for (int k = 0; k < w.check().size(); k++) {
                String pointer = w.check().size() == 1 ? at + "/check" : at + "/check/" + k;
                String field = w.check().size() == 1 ? f + ".check" : f + ".check[" + k + "]";
                checks.add(require(w.check().get(k), pointer, field, "a check id or glob, e.g. graph/*"));
            }
            String reason = require(w.reason(), at + "/reason", f + ".reason", "why this gap is accepted");
            String link = require(w.link(), at + "/link", f + ".link", "an issue or release-note link");
            if (!link.startsWith("http://") && !link.startsWith("https://")) {
                throw error(at + "/link", f + ".link", "expected an http(s) link, got '" + link + "'");
            }
            Waiver.Kind kind = w.kind() == null ? Waiver.Kind.WAIVER : word(at + "/kind", f + ".kind", w.kind(), Waiver.Kind.class);
            if (cellNames.stream().noneMatch(n -> Glob.matches(cell, n))) {
                throw error(at + "/cell", f + ".cell", "'" + cell + "' matches no cell; cells are " + cellNames);
            }
            if (w.worlds() != null && w.worlds().stream().anyMatch(n -> n == null || n < 1)) {
                throw error(at + "/worlds", f + ".worlds", "expected world sizes >= 1, got " + w.worlds());
            }
            int line = lines.getOrDefault(at, 0);
            return checks.stream().map(check -> new Waiver(cell, check, w.worlds(), reason, link, kind, line)).toList();
        }
    }
}
