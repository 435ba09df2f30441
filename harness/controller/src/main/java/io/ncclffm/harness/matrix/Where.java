package io.ncclffm.harness.matrix;

/**
 * A place in the matrix file, as the loader finds it and as an error names it: its JSON pointer ({@code /cells/0/env/A},
 * which keys the file's line index) and its field in the file's own words ({@code cells[0].env.A}).
 */
record Where(String pointer, String field) {

    /** The file as a whole. */
    static final Where TOP = new Where("", "");

    /** The value under {@code key} of the mapping here. */
    Where key(String key) {
        return new Where(pointer + "/" + key, field.isEmpty() ? key : field + "." + key);
    }

    /** The {@code index}th element of the list here. */
    Where index(int index) {
        return new Where(pointer + "/" + index, field + "[" + index + "]");
    }
}
