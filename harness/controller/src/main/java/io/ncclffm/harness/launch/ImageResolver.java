package io.ncclffm.harness.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;

import io.ncclffm.harness.matrix.Cell;

/**
 * Turns a cell's image source into a local image, building it once and reusing it across runs. Built images are
 * tagged {@code ncclffm/<dir>:<hash>}, where the hash covers every file of the recipe, the build args, and the
 * id of the base image, so a change to any of them builds anew and nothing else does.
 */
public final class ImageResolver {

    private static final Pattern FROM_ARG = Pattern.compile("ARG\\s+BASE\\s*=\\s*(\\S+)");

    private final DockerClient docker;
    private final Path imagesDir;
    private final HostFilesRecipe hostFiles;
    private final Map<Cell.Source, String> resolved = new ConcurrentHashMap<>();

    public ImageResolver(DockerClient docker, Path imagesDir, HostFilesRecipe hostFiles) {
        this.docker = docker;
        this.imagesDir = imagesDir;
        this.hostFiles = hostFiles;
    }

    /** The directory of the recipes: {@code ncclffm.images.dir}, else {@code images/} under the working directory. */
    public static Path defaultImagesDir() {
        return Path.of(System.getProperty("ncclffm.images.dir", "images")).toAbsolutePath().normalize();
    }

    public synchronized String resolve(Cell.Source source) {
        String image = resolved.get(source);
        if (image != null) return image;
        image = switch (source) {
            case Cell.BuildImage b -> build(b);
            case Cell.ImageRef r -> requireLocalOrPull(r.ref());
            case Cell.HostFilesImage h -> hostFiles.build(h);
            case Cell.HostLibrary h -> throw new IllegalArgumentException("a host library runs as processes, not in an image: " + h.path());
            case Cell.Coordinates c -> throw new IllegalArgumentException("a library named by coordinates is resolved to a file first: "
                    + c.library().describe());
        };
        resolved.put(source, image);
        return image;
    }

    private String build(Cell.BuildImage b) {
        Path dir = imagesDir.resolve(b.dir());
        Path dockerfile = dir.resolve("Dockerfile");
        if (!Files.isRegularFile(dockerfile)) {
            throw new HarnessException("image recipe '" + b.dir() + "' has no Dockerfile at " + dockerfile
                    + "; recipes live under " + imagesDir);
        }
        String base = b.args().getOrDefault("BASE", declaredBase(dockerfile));
        String baseId = base == null ? "" : imageId(base);
        if (base != null && baseId == null) {
            throw new HarnessException("base image '" + base + "' for recipe '" + b.dir() + "' is not present; make it with "
                    + "images/base/make-offline-base.sh (debootstrap + docker import) or pass BASE=<an image you have>");
        }
        String tag = "ncclffm/" + b.dir() + ":" + hash(dir, b.args(), baseId);
        if (imageId(tag) != null) return tag;
        return dockerBuild(docker, dir, b.args(), tag, "from " + dir + " with " + b.args());
    }

    /**
     * Builds the image in {@code context} with {@code args} under {@code tag} (nothing is pulled), for both kinds of
     * recipe; a failure says which build, Docker's words and the build's last lines (apt's own, when a package is
     * missing).
     *
     * @param what the build in words, for the error, e.g. "from images/debian with {SUITE=trixie}"
     */
    static String dockerBuild(DockerClient docker, Path context, Map<String, String> args, String tag, String what) {
        StringBuilder log = new StringBuilder();
        try {
            // forcerm: the container of a step that failed is removed too (rm alone keeps it, and a failed build
            // would leave an exited container behind on every run).
            var cmd = docker.buildImageCmd(context.toFile()).withTags(Set.of(tag)).withPull(false).withRemove(true)
                    .withForcerm(true);
            args.forEach(cmd::withBuildArg);
            cmd.exec(new BuildImageResultCallback() {
                @Override
                public void onNext(BuildResponseItem item) {
                    if (item.getStream() != null) log.append(item.getStream());
                    if (item.getErrorDetail() != null) log.append(item.getErrorDetail().getMessage()).append('\n');
                    super.onNext(item);
                }
            }).awaitImageId(30, TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            throw new HarnessException("building image " + tag + " " + what + " failed: " + e.getMessage() + lastLines(log), e);
        }
        return tag;
    }

    /** The build output's last lines (apt's own words when a package is missing), for the error. */
    static String lastLines(CharSequence log) {
        String[] lines = log.toString().strip().split("\\R");
        if (lines.length == 0 || lines[0].isEmpty()) return "";
        int from = Math.max(0, lines.length - 15);
        return "\nlast lines of the build:\n  " + String.join("\n  ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    private static String declaredBase(Path dockerfile) {
        try {
            Matcher m = FROM_ARG.matcher(Files.readString(dockerfile));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            throw new HarnessException("cannot read " + dockerfile, e);
        }
    }

    private String requireLocalOrPull(String ref) {
        if (imageId(ref) != null) return ref;
        try {
            docker.pullImageCmd(ref).start().awaitCompletion(30, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted while pulling " + ref, e);
        } catch (RuntimeException e) {
            throw new HarnessException("image '" + ref + "' is not present and cannot be pulled: " + e.getMessage(), e);
        }
        return ref;
    }

    /** The image's id, or {@code null} when Docker does not have it. */
    String imageId(String name) {
        return imageId(docker, name);
    }

    static String imageId(DockerClient docker, String name) {
        try {
            return docker.inspectImageCmd(name).exec().getId();
        } catch (NotFoundException e) {
            return null;
        }
    }

    static String hash(Path dir, Map<String, String> args, String baseId) {
        MessageDigest md = DigestUtils.getSha256Digest();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                DigestUtils.updateDigest(md, dir.relativize(f).toString());
                DigestUtils.updateDigest(md, f);
            }
        } catch (IOException e) {
            throw new HarnessException("cannot hash image recipe " + dir, e);
        }
        DigestUtils.updateDigest(md, new TreeMap<>(args).toString());
        DigestUtils.updateDigest(md, baseId);
        return tagOf(md);
    }

    /** An image tag from a digest of what the image is made of: its first six bytes, in hex. */
    static String tagOf(MessageDigest md) {
        return Hex.encodeHexString(md.digest()).substring(0, 12);
    }
}
