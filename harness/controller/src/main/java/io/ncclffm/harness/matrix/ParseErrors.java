package io.ncclffm.harness.matrix;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * What the YAML parser and the mapper found wrong with a matrix file, in the file's words: a syntax error where its
 * fix goes, a wrong shape as what was expected and what was written ("expected a list of cells, got a string
 * 'nccl'"), an unknown key with the keys there are. No Java type or Jackson wording reaches the user.
 */
final class ParseErrors {

    private ParseErrors() {
    }

    /**
     * Turns Jackson's exception into "file, line N, field a.b[2].c: problem". The line of a field comes from the
     * file's own index (Jackson's location can point past the offending node); a syntax error takes SnakeYAML's marks.
     */
    static String describe(Path file, JsonProcessingException e, MatrixErrors index, String yaml) {
        // A syntax error later in the file can first surface as a wrong type (an unclosed '[' swallows the next
        // lines), so the whole file's syntax is checked before blaming a field.
        JsonNode tree;
        try {
            tree = MatrixLoader.MAPPER.readTree(yaml);
        } catch (JsonProcessingException syntax) {
            for (Throwable t = syntax; t != null; t = t.getCause()) {
                if (t instanceof MarkedYAMLException marked) return syntaxError(file, marked, yaml);
            }
            tree = null;
        }
        JsonLocation loc = e.getLocation();
        Integer line = loc != null && loc.getLineNr() > 0 ? loc.getLineNr() : null;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            int indexed = index.line(pointer(m.getPath()), -1);
            if (indexed > 0) line = indexed;
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
}
