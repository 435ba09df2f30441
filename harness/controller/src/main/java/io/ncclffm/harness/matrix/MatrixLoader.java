package io.ncclffm.harness.matrix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a matrix file (YAML). Every problem is reported with the file, the line and the field, and what was
 * expected ({@link MatrixErrors}, {@link ParseErrors}): unknown keys, keys written twice, wrong types, missing fields,
 * duplicate cells, a missing lowest or highest version. Each section has a validator of its own: {@code supported}
 * ({@link SupportedValidator}), {@code defaults} ({@link DefaultsValidator}), {@code cells} ({@link CellsValidator},
 * with {@link SourceValidator}), {@code waivers} ({@link WaiversValidator}) and {@code perf} ({@link PerfValidator}).
 */
public final class MatrixLoader {

    /**
     * The largest matrix file read. The file is read whole; a matrix of every NCCL release is tens of KB, and a path
     * that names something else (a device, a log) is refused before it fills the memory.
     */
    public static final int MAX_BYTES = 1 << 20;

    static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private MatrixLoader() {
    }

    public static Matrix load(Path file) {
        return parse(file, read(file));
    }

    /**
     * The file's text. Only a regular file of at most {@link #MAX_BYTES} is opened: a FIFO would block the read until
     * something writes to it, and a device such as {@code /dev/zero} never ends.
     */
    static String read(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new MatrixException("matrix file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new MatrixException("matrix file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (attributes.isDirectory()) throw new MatrixException("matrix file " + file + " is a directory; expected a YAML matrix file");
        if (!attributes.isRegularFile()) {
            throw new MatrixException("matrix file " + file + " is not a regular file (it is " + kind(file)
                    + "); expected a YAML matrix file");
        }
        if (attributes.size() > MAX_BYTES) throw tooLarge(file, Long.toString(attributes.size()));
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (AccessDeniedException e) {
            throw new MatrixException("matrix file " + file + " cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new MatrixException("matrix file " + file + " cannot be read: " + e.getMessage(), e);
        }
        // A file that grew between the check and the read.
        if (bytes.length > MAX_BYTES) throw tooLarge(file, "over " + MAX_BYTES);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MatrixException("matrix file " + file + " is not UTF-8 text; expected a YAML matrix file", e);
        }
    }

    private static MatrixException tooLarge(Path file, String bytes) {
        return new MatrixException("matrix file " + file + " is " + bytes + " bytes; a matrix file has at most " + MAX_BYTES
                + " bytes (1 MiB)");
    }

    /** What a file that is no regular file is, in words, from its mode where the file system says it. */
    private static String kind(Path file) {
        try {
            int type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "no file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "no file";
        }
    }

    public static Matrix parse(Path file, String yaml) {
        if (yaml.isBlank()) throw new MatrixException(file + ": the file is empty; expected 'cells:' with at least one cell");
        MatrixErrors errors = MatrixErrors.of(file, yaml);
        RawMatrix raw;
        try {
            raw = MAPPER.readValue(yaml, RawMatrix.class);
        } catch (JsonProcessingException e) {
            throw new MatrixException(ParseErrors.describe(file, e, errors, yaml), e);
        }
        if (raw == null) throw new MatrixException(file + ": the file is empty; expected 'cells:' with at least one cell");
        MatrixException duplicate = errors.duplicateKey();
        if (duplicate != null) throw duplicate;
        return validate(errors, raw);
    }

    private static Matrix validate(MatrixErrors errors, RawMatrix raw) {
        DefaultsValidator.Settings defaults = new DefaultsValidator(errors).defaults(raw.defaults());
        List<Cell> cells = new CellsValidator(errors).cells(raw.cells(), defaults);
        new SupportedValidator(errors).check(raw.supported(), cells);
        Set<String> names = cells.stream().map(Cell::name).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        List<Waiver> waivers = new WaiversValidator(errors).waivers(raw.waivers(), names);
        return new Matrix(errors.file(), cells, waivers, new PerfValidator(errors).perf(raw.perf(), cells));
    }
}
