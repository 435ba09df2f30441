package io.ncclffm.harness.matrix;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a matrix file (YAML). Every problem is reported with the file, the line and the field, and what was
 * expected ({@link MatrixErrors}, {@link ParseErrors}): unknown keys, wrong types, missing fields,
 * duplicate cells, a missing lowest or highest version. Each section has a validator of its own: {@code supported}
 * ({@link SupportedValidator}), {@code defaults} ({@link DefaultsValidator}), {@code cells} ({@link CellsValidator},
 * with {@link SourceValidator}), {@code waivers} ({@link WaiversValidator}) and {@code perf} ({@link PerfValidator}).
 */
public final class MatrixLoader {

    static final YAMLMapper MAPPER = YAMLMapper.builder()
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
        MatrixErrors errors = MatrixErrors.of(file, yaml);
        RawMatrix raw;
        try {
            raw = MAPPER.readValue(yaml, RawMatrix.class);
        } catch (JsonProcessingException e) {
            throw new MatrixException(ParseErrors.describe(file, e, errors, yaml), e);
        }
        if (raw == null) throw new MatrixException(file + ": the file is empty; expected 'cells:' with at least one cell");
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
