package io.ncclffm.harness.matrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The errors of one matrix file: each names the file, the line and the field, then the problem
 * ({@code matrix/x.yaml, line 7, field cells[0].worlds[1]: expected an integer, got 'two'}). The line of a field comes
 * from the file's own index of every node, so an error points at what the file wrote, wherever the validator found it.
 */
final class MatrixErrors {

    private final Path file;
    private final Map<String, Integer> lines;

    private MatrixErrors(Path file, Map<String, Integer> lines) {
        this.file = file;
        this.lines = lines;
    }

    /** Indexes {@code yaml}: the line of every node, keyed by JSON pointer ({@code /cells/1/worlds}). */
    static MatrixErrors of(Path file, String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                String pointer = p.getParsingContext().pathAsPointer().toString();
                int line = p.currentTokenLocation().getLineNr();
                if (t == JsonToken.FIELD_NAME) pointer = pointer.isEmpty() ? "/" + p.currentName() : pointer;
                lines.putIfAbsent(pointer, line);
            }
        } catch (IOException e) {
            // A file that does not parse is reported by the mapper, with its syntax error; this only costs line numbers.
        }
        return new MatrixErrors(file, lines);
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
}
