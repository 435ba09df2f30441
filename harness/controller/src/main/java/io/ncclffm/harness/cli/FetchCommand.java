package io.ncclffm.harness.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import io.ncclffm.harness.junit.Launchers;
import io.ncclffm.harness.library.Libraries;
import io.ncclffm.harness.library.LibraryManifest;
import io.ncclffm.harness.library.MavenLibraries;
import io.ncclffm.harness.matrix.Matrix;
import io.ncclffm.harness.matrix.MatrixException;
import io.ncclffm.harness.matrix.MatrixLoader;

/**
 * {@code fetch}: resolves every library the selected cells name by coordinates and writes it, with
 * {@code libraries.json}, into the folder; one line per library. Exit 0 when all were written, 1 when one could not be
 * resolved (or no cell names a library), 2 for bad options.
 */
final class FetchCommand implements Command {

    private static final List<String> VALUED = List.of("--matrix", "--into", "--cells");
    private static final List<String> FLAGS = List.of(MatrixCommand.MAVEN_ALLOW_HTTP);

    private static final String USAGE = """
            usage: %s fetch --matrix FILE --into DIR [--cells NAMES] [--maven-allow-http]

            On a connected machine: resolves every library the cells name with 'library:' (Maven artifact, Debian
            package, pip wheel) into DIR, with DIR/libraries.json (source, cells, sha256, size). A library whose
            cell pins a sha256 must have it; Maven downloads must match their checksums. Copy DIR to an offline GPU
            host and run 'matrix --matrix FILE --libraries DIR' there.

            options:
              --matrix FILE    the matrix file; required
              --into DIR       where the libraries and libraries.json go (added to what is there); required
              --cells NAMES    only these cells: comma-separated names or globs
              --maven-allow-http
                               let Maven artifacts come from http:// repositories (refused otherwise); the same
                               as -D%s=true
              --help, -h       print this text

            exit status: 0 every library written, 1 one could not be resolved or missed its pin (or none is
            named), 2 usage or matrix error""".formatted(Main.LAUNCH, MavenLibraries.ALLOW_HTTP);

    @Override
    public String name() {
        return "fetch";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        Options options = Options.parse(args, VALUED, FLAGS, Options.oneOf(VALUED, FLAGS));
        if (!options.has("--matrix") || !options.has("--into")) throw new Options.UsageError("fetch needs --matrix FILE and --into DIR");
        Matrix matrix;
        try {
            matrix = MatrixLoader.load(Path.of(options.get("--matrix"))).select(options.getOrDefault("--cells", ""));
        } catch (MatrixException e) {
            err.println(e.getMessage());
            return Main.ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        try {
            Path into = Path.of(options.get("--into")).toAbsolutePath().normalize();
            if (options.has(MatrixCommand.MAVEN_ALLOW_HTTP)) System.setProperty(MavenLibraries.ALLOW_HTTP, "true");
            List<LibraryManifest.Library> libraries = Libraries.online(Launchers.recipeImages()).fetchInto(matrix.cells(), into);
            if (libraries.isEmpty()) {
                err.println("no selected cell of " + matrix.file() + " names its library with 'library:'; nothing to fetch");
                return Main.ExitCode.FAILED.code();
            }
            for (var l : libraries) {
                out.printf("%s %s  %s  %d bytes  sha256 %s  cells %s  (%s)%n", l.flavor(), l.version(), into.resolve(l.file()),
                        l.size(), l.sha256(), String.join(",", l.cells()), l.key());
            }
            out.println(libraries.size() + " libraries in " + into.resolve(LibraryManifest.FILE)
                    + "; copy " + into + " to the GPU host and run: matrix --matrix FILE --libraries DIR");
            return Main.ExitCode.PASSED.code();
        } catch (RuntimeException e) {
            err.println(e.getMessage());
            return Main.ExitCode.FAILED.code();
        }
    }
}
