package io.ncclffm.harness.matrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The errors of one matrix file: each names the file, the line and the field, then the problem
 * ({@code matrix/x.yaml, line 7, field cells[0].worlds[1]: expected an integer, got 'two'}). The line of a field comes
 * from the file's own index of every node, so an error points at what the file wrote, wherever the validator found it.
 */
final class MatrixErrors {

    /** A key written twice in one mapping, where it was first written, and where again. */
    record Duplicate(String pointer, String key, int firstLine, int line) {
    }

    private final Path file;
    private final Map<String, Integer> lines;
    private final Duplicate duplicate;

    private MatrixErrors(Path file, Map<String, Integer> lines, Duplicate duplicate) {
        this.file = file;
        this.lines = lines;
        this.duplicate = duplicate;
    }

    /** Indexes {@code yaml}: the line of every node, keyed by JSON pointer ({@code /cells/1/worlds}), and its first duplicate key. */
    static MatrixErrors of(Path file, String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        Set<String> keys = new HashSet<>();
        Duplicate duplicate = null;
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                String pointer = p.getParsingContext().pathAsPointer().toString();
                int line = p.currentTokenLocation().getLineNr();
                if (t == JsonToken.FIELD_NAME) {
                    pointer = pointer.isEmpty() ? "/" + p.currentName() : pointer;
                    if (!keys.add(pointer) && duplicate == null) duplicate = new Duplicate(pointer, p.currentName(), lines.get(pointer), line);
                }
                lines.putIfAbsent(pointer, line);
            }
        } catch (IOException e) {
            // A file that does not parse is reported by the mapper, with its syntax error; this only costs line numbers.
        }
        return new MatrixErrors(file, lines, duplicate);
    }

    Path file() {
        return file;
    }

    /** The line {@code pointer} was written at, or {@code fallback}. */
    int line(String pointer, int fallback) {
        return lines.getOrDefault(pointer, fallback);
    }

    /** Whether the file wrote a key at {@code pointer}, even with no value. */
    boolean written(String pointer) {
        return lines.containsKey(pointer);
    }

    /**
     * The file's first key written twice in one mapping, as an error: a reader would see both values, and the mapper
     * would keep only the last one.
     */
    MatrixException duplicateKey() {
        if (duplicate == null) return null;
        return new MatrixException(file + ", line " + duplicate.line() + ", field " + field(duplicate.pointer()) + ": duplicate key '"
                + duplicate.key() + "' (first written at line " + duplicate.firstLine() + "); a key may appear once in a mapping");
    }

    /** An error at {@code where}, on the line of the nearest node the file wrote there or above. */
    MatrixException at(Where where, String problem) {
        String pointer = where.pointer();
        Integer line = lines.get(pointer);
        while (line == null && pointer.lastIndexOf('/') > 0) {
            pointer = pointer.substring(0, pointer.lastIndexOf('/'));
            line = lines.get(pointer);
        }
        return new MatrixException(file + (line != null ? ", line " + line : "") + ", field " + where.field() + ": " + problem);
    }

    /** {@code value}, or an error saying it is missing and what to write. */
    String require(String value, Where where, String expected) {
        if (value == null || value.isBlank()) throw at(where, "missing; expected " + expected);
        return value;
    }

    /** One of the enum's words ({@link Words}), or an error naming the field, the choices and what was given. */
    <E extends Enum<E>> E word(Where where, String text, Class<E> type) {
        return Words.parse(type, text.strip().toLowerCase(Locale.ROOT)).orElseThrow(
                () -> at(where, "expected " + Words.choices(type) + ", got '" + text + "'"));
    }

    /** {@code /cells/0/env/A} in the file's words: {@code cells[0].env.A}. */
    static String field(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.substring(1).split("/")) {
            if (part.matches("\\d+")) {
                sb.append('[').append(part).append(']');
            } else {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(part.replace("~1", "/").replace("~0", "~"));
            }
        }
        return sb.toString();
    }
}
