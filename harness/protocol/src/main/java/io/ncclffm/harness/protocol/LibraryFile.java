package io.ncclffm.harness.protocol;

/**
 * The library file a rank really runs, as its worker measured it right after loading it: where the configured path
 * or soname led, what the file is, and the build NCCL says it is. This, not the matrix's word, is what a cell run's
 * provenance shows and what a pinned hash is checked against.
 *
 * @param requested what the worker was told to load (a path or a soname)
 * @param path      the file the dynamic loader mapped, as the rank's own file system names it
 * @param size      its size in bytes
 * @param sha256    hex SHA-256 of its content
 * @param buildLine NCCL's own build line embedded in the file, e.g. {@code NCCL version 2.28.3+cuda12.9}, or
 *                  {@code null} when the file carries none
 * @param newerThanBinding where the library reports a release newer than the binding knows, the binding's words for
 *                  it ({@code NCCL 2.32.6, newer than this binding knows (2.30.7)}); {@code null} otherwise. A fact
 *                  the reports show, never a failure: the binding runs such a library with its newest layouts.
 */
public record LibraryFile(String requested, String path, long size, String sha256, String buildLine, String newerThanBinding) {

    /** A file of a release the binding knows. */
    public LibraryFile(String requested, String path, long size, String sha256, String buildLine) {
        this(requested, path, size, sha256, buildLine, null);
    }
}
