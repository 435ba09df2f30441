package io.ncclffm.harness.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.io.FileUtils;

import com.github.dockerjava.api.DockerClient;

import io.ncclffm.harness.matrix.Cell;

/**
 * The {@code images/host-files} recipe ({@link Cell.HostFilesImage} cells): a minimal image made from this host's own
 * files, for GPU hosts that can neither pull nor build from a registry. It holds the library under test and
 * everything {@code ldd} says it, the worker's runtime and the native libraries the worker's jar carries need (the
 * loader, libc, libstdc++, ...), and nothing else; the JRE and worker are copied in at container creation as for any
 * image, and the GPU driver's libraries are bind-mounted by the launcher ({@link GpuAccess}), so they are left out.
 */
public final class HostFilesRecipe {

    private static final Pattern LDD_PATH = Pattern.compile("(/\\S+)\\s+\\(0x");

    private final DockerClient docker;
    private final Path recipeDir;
    private final WorkerBundle bundle;

    public HostFilesRecipe(DockerClient docker, Path recipeDir, WorkerBundle bundle) {
        this.docker = docker;
        this.recipeDir = recipeDir;
        this.bundle = bundle;
    }

    /** Builds (or reuses) the image for the cell's library; returns its tag. */
    public String build(Cell.HostFilesImage source) {
        Path lib = Path.of(source.libraryPath());
        if (!Files.isRegularFile(lib)) {
            throw new HarnessException("image.fromHost '" + source.libraryPath() + "' is not a file on this host");
        }
        Path dockerfile = recipeDir.resolve("Dockerfile");
        if (!Files.isRegularFile(dockerfile)) throw new HarnessException("missing recipe " + dockerfile);
        Set<Path> files = new TreeSet<>();
        files.add(lib);
        List<Path> roots = new ArrayList<>(List.of(lib, bundle.java()));
        try (Stream<Path> s = Files.walk(bundle.jre().resolve("lib"))) {
            s.filter(p -> p.toString().endsWith(".so")).forEach(roots::add);
        } catch (IOException e) {
            throw new HarnessException("cannot list the worker runtime's libraries under " + bundle.jre(), e);
        }
        for (Path root : roots) files.addAll(sharedLibraries(root));
        files.addAll(nativeNeeds(bundle.jar()));
        String tag = "ncclffm/host-files:" + hash(dockerfile, files);
        if (ImageResolver.imageId(docker, tag) != null) return tag;
        Path context = null;
        try {
            context = Files.createTempDirectory("ncclffm-host-files");
            Files.copy(dockerfile, context.resolve("Dockerfile"));
            for (Path f : files) {
                String inImage = f.equals(lib) ? source.pathInImage() : f.toString();
                Path target = context.resolve("rootfs").resolve(inImage.substring(1));
                Files.createDirectories(target.getParent());
                Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
            Path tmp = Files.createDirectories(context.resolve("rootfs/tmp"));
            Files.setAttribute(tmp, "unix:mode", 01777);
            return ImageResolver.dockerBuild(docker, context, Map.of(), tag, "from this host's files for " + source.libraryPath());
        } catch (IOException e) {
            throw new HarnessException("building the host-files image for " + source.libraryPath() + " failed: " + e.getMessage(), e);
        } finally {
            if (context != null) FileUtils.deleteQuietly(context.toFile()); // a temp dir left behind is harmless
        }
    }

    /**
     * What the native libraries inside {@code jar} ({@code *.so} entries, which the worker unpacks and loads) need, as
     * {@code ldd} resolves it here; the GPU driver's own libraries are left out, as the launcher bind-mounts them.
     */
    static List<Path> nativeNeeds(Path jar) {
        Path dir = null;
        try (JarFile j = new JarFile(jar.toFile())) {
            dir = Files.createTempDirectory("ncclffm-worker-natives");
            List<Path> needs = new ArrayList<>();
            for (JarEntry e : j.stream().filter(e -> !e.isDirectory() && e.getName().endsWith(".so")).toList()) {
                Path so = dir.resolve(Path.of(e.getName()).getFileName().toString());
                try (InputStream in = j.getInputStream(e)) {
                    Files.copy(in, so, StandardCopyOption.REPLACE_EXISTING);
                }
                for (Path p : sharedLibraries(so)) {
                    if (!GpuAccess.DRIVER_LIBRARIES.contains(p.getFileName().toString())) needs.add(p);
                }
            }
            return needs;
        } catch (IOException e) {
            throw new HarnessException("cannot read the native libraries in the worker's jar " + jar, e);
        } finally {
            if (dir != null) FileUtils.deleteQuietly(dir.toFile());
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

    /** The recipe and every file's path, size and modification time: a changed host file makes a new image. */
    private static String hash(Path dockerfile, Set<Path> files) {
        MessageDigest md = DigestUtils.getSha256Digest();
        try {
            DigestUtils.updateDigest(md, dockerfile);
            for (Path f : files) {
                DigestUtils.updateDigest(md, f.toString());
                DigestUtils.updateDigest(md, Long.toString(Files.size(f)));
                DigestUtils.updateDigest(md, Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toString());
            }
        } catch (IOException e) {
            throw new HarnessException("cannot hash host files", e);
        }
        return ImageResolver.tagOf(md);
    }
}
