package io.ncclffm.harness.ci;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.harness.matrix.Cell;
import io.ncclffm.harness.matrix.MatrixLoader;

/**
 * What can be checked of the image recipes without building them here (the NVIDIA and ROCm ones need their
 * registries): every ARG a recipe uses is declared, the base image is a build argument, the library is pinned,
 * and every matrix cell passes only args its recipe declares, including the ones it requires.
 */
class ImageRecipesTest {

    private static final Path IMAGES = ProjectFiles.ROOT.resolve("images");

    static Stream<Path> dockerfiles() throws IOException {
        return Files.list(IMAGES).map(d -> d.resolve("Dockerfile")).filter(Files::isRegularFile).sorted();
    }

    static Set<String> declaredArgs(Path dockerfile) throws IOException {
        Set<String> args = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^ARG\\s+(\\w+)").matcher(Files.readString(dockerfile));
        while (m.find()) args.add(m.group(1));
        return args;
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void everyUsedArg_isDeclared(Path dockerfile) throws IOException {
        String text = Files.readString(dockerfile);
        Set<String> declared = declaredArgs(dockerfile);
        Matcher used = Pattern.compile("\\$\\{(\\w+)}").matcher(text);
        while (used.find()) {
            assertTrue(declared.contains(used.group(1)), dockerfile + " uses ${" + used.group(1) + "} without ARG");
        }
        String from = text.lines().filter(l -> l.startsWith("FROM")).findFirst().orElseThrow();
        assertTrue(from.equals("FROM scratch") || from.matches("FROM \\$\\{\\w+}"), dockerfile + ": the base is a build arg: " + from);
    }

    @Test
    void gpuRecipes_pinTheLibrary() throws IOException {
        String nvidia = Files.readString(IMAGES.resolve("nvidia/Dockerfile"));
        assertTrue(nvidia.contains("libnccl2=${NCCL_VERSION}+cuda${CUDA_MM}"), "NVIDIA's package is pinned exactly");
        assertTrue(nvidia.contains("--allow-change-held-packages"), "runtime/devel bases hold their own libnccl2");
        assertTrue(nvidia.contains("-base-"), "documented: build from a -base- tag");
        String debian = Files.readString(IMAGES.resolve("debian/Dockerfile"));
        assertTrue(debian.contains("\"${PACKAGE}=${PACKAGE_VERSION}\""), "Debian's package is pinned exactly");
        assertTrue(Files.readString(IMAGES.resolve("rocm/Dockerfile")).contains("librccl.so.1"));
    }

    @Test
    void everyMatrixCell_passesOnlyDeclaredArgs_andTheRequiredOnes() throws IOException {
        try (Stream<Path> files = Files.list(ProjectFiles.ROOT.resolve("matrix"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                for (Cell c : MatrixLoader.load(f).cells()) {
                    if (!(c.source() instanceof Cell.BuildImage b)) continue;
                    Path dockerfile = IMAGES.resolve(b.dir()).resolve("Dockerfile");
                    assertTrue(Files.isRegularFile(dockerfile), f + ": " + c.name() + " needs " + dockerfile);
                    Set<String> declared = declaredArgs(dockerfile);
                    for (String arg : b.args().keySet()) {
                        assertTrue(declared.contains(arg), f + ": " + c.name() + " passes " + arg + ", which " + dockerfile + " does not declare");
                    }
                    if (b.dir().equals("debian")) assertTrue(b.args().containsKey("PACKAGE_VERSION"), c.name() + " pins a version");
                    if (b.dir().equals("nvidia")) assertTrue(b.args().keySet().containsAll(Set.of("CUDA_BASE", "NCCL_VERSION", "CUDA_MM")), c.name());
                }
            }
        }
    }

    @Test
    void offlineBaseScript_isExecutable() {
        assertTrue(Files.isExecutable(IMAGES.resolve("base/make-offline-base.sh")));
    }
}
