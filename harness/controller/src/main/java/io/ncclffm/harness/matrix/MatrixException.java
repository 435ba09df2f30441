package io.ncclffm.harness.matrix;

/** The matrix file is malformed. The message names the file, the line and the field, and what was expected. */
public final class MatrixException extends RuntimeException {

    public MatrixException(String message) {
        super(message);
    }

    public MatrixException(String message, Throwable cause) {
        super(message, cause);
    }
}
