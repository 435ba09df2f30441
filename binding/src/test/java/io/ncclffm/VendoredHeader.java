package io.ncclffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One header of {@code src/test/resources/headers} (a line of its {@code SOURCES.tsv}, which {@code generate.sh}
 * writes): NVIDIA's nccl.h of one release tag, or RCCL's rccl.h of one ROCm release.
 *
 * @param flavor  NCCL or RCCL
 * @param release the NCCL API level the header declares (RCCL follows NCCL's numbers)
 * @param from    the tag ({@code v2.17.1-1}, {@code rocm-6.2.0}) or the Debian package it came from
 * @param file    the header
 */
record VendoredHeader(Flavor flavor, NcclVersion release, String from, Path file) {

    static final Path FOLDER = Path.of("src/test/resources/headers");

    /** How failures name the header: the tag, or RCCL's ROCm release and its API level. */
    String label() {
        return flavor == Flavor.NCCL ? from : "RCCL of ROCm " + file.getParent().getFileName() + " (API " + release + ")";
    }

    /** Every header SOURCES.tsv lists, in its order (NCCL by release, then RCCL). */
    static List<VendoredHeader> all() throws IOException {
        List<String> lines = Files.readAllLines(FOLDER.resolve("SOURCES.tsv"));
        return lines.stream().skip(1).map(line -> {
            String[] f = line.split("\t");
            if (f.length != 5) throw new IllegalStateException("SOURCES.tsv: expected 5 tab-separated fields, got: " + line);
            Flavor flavor = switch (f[0]) {
                case "nccl" -> Flavor.NCCL;
                case "rccl" -> Flavor.RCCL;
                default -> throw new IllegalStateException("SOURCES.tsv: kind must be nccl or rccl, got: " + line);
            };
            return new VendoredHeader(flavor, NcclVersion.parse(f[1]), f[2], FOLDER.resolve(f[4]).toAbsolutePath());
        }).toList();
    }

    @Override
    public String toString() {
        return label();
    }
}
