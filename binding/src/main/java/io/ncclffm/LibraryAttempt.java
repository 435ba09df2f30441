package io.ncclffm;

/**
 * One place the binding looked for the library.
 *
 * @param source  where the path came from, e.g. {@code environment variable NCCLFFM_SO_PATH}
 * @param path    the path or soname tried; {@code null} when the source was not set
 * @param failure why it was rejected
 */
public record LibraryAttempt(String source, String path, String failure) {

    @Override
    public String toString() {
        return path == null ? source + ": " + failure : source + " '" + path + "': " + failure;
    }
}
