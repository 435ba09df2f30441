package io.ncclffm.harness.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;

/**
 * The {@code images/host-files} recipe: a minimal image made from this host's own files, for GPU hosts that can
 * neither pull nor build from a registry. It holds the library under test, everything {@code ldd} says it and the
 * worker's runtime need (the loader, libc, libstdc++, ...), and nothing else; the JRE and worker are copied in at
 * container creation as for any image, and the GPU driver's libraries are bind-mounted by the launcher.
 */
public final class HostFilesImage {

    private static final Pattern LDD_PATH = Pattern.compile("(/\\S+)\\s+\\(0x");
    /** Always included: the loader and C++ runtime that the NCCL library and JCuda's natives need. */
    private static final List<String> ALWAYS = List.of("libstdc++.so.6", "libgcc_s.so.1");

    private final DockerClient docker;
    private final Path recipeDir;
    private final Path jre;

    public HostFilesImage(DockerClient docker, Path recipeDir, Path jre) {
        this.docker = docker;
        this.recipeDir = recipeDir;
        this.jre = jre;
    }

    /** Builds (or reuses) the image for {@code libraryPath}; returns its tag. */
    public String build(String libraryPath) {
        Path lib = Path.of(libraryPath);
        if (!Files.isRegularFile(lib)) {
            throw new HarnessException("image.fromHost '" + libraryPath + "' is not a file on this host");
        }
        Path dockerfile = recipeDir.resolve("Dockerfile");
        if (!Files.isRegularFile(dockerfile)) throw new HarnessException("missing recipe " + dockerfile);
        Set<Path> files = new TreeSet<>();
        files.add(lib);
        List<Path> roots = new ArrayList<>(List.of(lib, jre.resolve("bin/java")));
        try (Stream<Path> s = Files.walk(jre.resolve("lib"))) {
            s.filter(p -> p.toString().endsWith(".so")).forEach(roots::add);
        } catch (IOException e) {
            throw new HarnessException("cannot list the worker runtime's libraries under " + jre, e);
        }
        for (Path root : roots) files.addAll(sharedLibraries(root));
        for (String name : ALWAYS) files.addAll(findInLoaderPath(name));
        String tag = "ncclffm/host-files:" + hash(dockerfile, files);
        try {
            docker.inspectImageCmd(tag).exec();
            return tag;
        } catch (NotFoundException e) {
            // not built yet
        }
        Path context = null;
        try {
            context = Files.createTempDirectory("ncclffm-host-files");
            Files.copy(dockerfile, context.resolve("Dockerfile"));
            String libraryInImage = new io.ncclffm.harness.matrix.Cell.HostFilesImage(libraryPath).pathInImage();
            for (Path f : files) {
                String inImage = f.equals(lib) ? libraryInImage : f.toString();
                Path target = context.resolve("rootfs").resolve(inImage.substring(1));
                Files.createDirectories(target.getParent());
                Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
            Path tmp = Files.createDirectories(context.resolve("rootfs/tmp"));
            Files.setAttribute(tmp, "unix:mode", 01777);
            docker.buildImageCmd(context.toFile()).withTags(Set.of(tag)).withPull(false).withRemove(true)
                    .exec(new BuildImageResultCallback()).awaitImageId(10, TimeUnit.MINUTES);
            return tag;
        } catch (IOException | RuntimeException e) {
            throw new HarnessException("building the host-files image for " + libraryPath + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(context);
        }
    }

    /** The files {@code ldd} resolves for {@code binary}; missing ones (the GPU driver's) are bind-mounted later. */
    static List<Path> sharedLibraries(Path binary) {
        try {
            Process p = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            List<Path> libs = new ArrayList<>();
            Matcher m = LDD_PATH.matcher(out);
            while (m.find()) libs.add(Path.of(m.group(1)).normalize());
            return libs;
        } catch (IOException e) {
            throw new HarnessException("cannot run ldd on " + binary + " (is ldd installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted running ldd", e);
        }
    }

    private static List<Path> findInLoaderPath(String soname) {
        for (String dir : List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64")) {
            Path p = Path.of(dir, soname);
            if (Files.exists(p)) return List.of(p);
        }
        return List.of();
    }

    private static String hash(Path dockerfile, Set<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(dockerfile));
            for (Path f : files) {
                md.update(f.toString().getBytes(StandardCharsets.UTF_8));
                md.update(Long.toString(Files.size(f)).getBytes(StandardCharsets.UTF_8));
                md.update(Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 6);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new HarnessException("cannot hash host files", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
