package io.ncclffm.harness.library;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.codec.digest.MessageDigestAlgorithms;
import org.apache.maven.model.Model;
import org.apache.maven.model.Repository;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;
import org.codehaus.plexus.util.xml.pull.XmlPullParserException;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.LocalArtifactRequest;
import org.eclipse.aether.repository.LocalArtifactResult;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.ChecksumFailureException;
import org.eclipse.aether.transfer.TransferEvent;

import io.ncclffm.harness.matrix.LibrarySource;

/**
 * Resolves {@link LibrarySource.MavenArtifact}s with Maven's own resolver, into the local repository Maven uses (so
 * an artifact already there is not downloaded again), and takes the library out of the artifact.
 *
 * <p>The remote repositories are {@code ncclffm.maven.repositories} (comma-separated URLs; {@code file:} URLs
 * work) or else the ones Maven's super POM declares; the local repository is {@code maven.repo.local} or else
 * {@code ~/.m2/repository}.
 *
 * <p>A download whose checksum ({@code .sha1}, {@code .md5}) does not match, or that has none, fails: Maven's
 * default only warns, and a file altered on the way would then be cached as the release. A plain {@code http://}
 * repository is refused unless {@value #ALLOW_HTTP} is {@code true}, since whoever sits on the path could serve
 * another file with a matching checksum.
 */
public final class MavenLibraries {

    /** The system property that lets {@code http://} repositories be used. */
    public static final String ALLOW_HTTP = "ncclffm.maven.allowHttp";

    /** Maven's super POM, which declares Central: read from Maven's own model builder rather than written here. */
    private static final String SUPER_POM = "org/apache/maven/model/pom-4.0.0.xml";

    private final List<RemoteRepository> repositories;
    private final Path localRepository;
    private final boolean allowHttp;

    public MavenLibraries(List<RemoteRepository> repositories, Path localRepository) {
        this(repositories, localRepository, false);
    }

    /** @param allowHttp whether {@code http://} repositories may be used (they are refused at resolution otherwise) */
    public MavenLibraries(List<RemoteRepository> repositories, Path localRepository, boolean allowHttp) {
        this.repositories = List.copyOf(repositories);
        this.localRepository = localRepository.toAbsolutePath().normalize();
        this.allowHttp = allowHttp;
    }

    /** The repositories and local repository the system properties name, with Maven's defaults. */
    public static MavenLibraries fromSystemProperties() {
        String local = System.getProperty("maven.repo.local");
        Path localRepo = local != null && !local.isBlank() ? Path.of(local)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return new MavenLibraries(repositories(System.getProperty("ncclffm.maven.repositories")), localRepo,
                Boolean.parseBoolean(System.getProperty(ALLOW_HTTP)));
    }

    /**
     * {@code urls} (comma-separated) as repositories, or the super POM's when {@code urls} is null or blank; every one
     * fails on a bad or missing checksum. A configured repository's id is made from its URL: the local repository
     * records which repository each artifact came from by that id, and must not hand one repository's artifact to a
     * request for another's.
     */
    public static List<RemoteRepository> repositories(String urls) {
        RepositoryPolicy strict = new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_DAILY, RepositoryPolicy.CHECKSUM_POLICY_FAIL);
        if (urls != null && !urls.isBlank()) {
            List<RemoteRepository> repos = new ArrayList<>();
            for (String url : Arrays.stream(urls.split(",")).map(u -> u.strip().replaceAll("/+$", "")).filter(u -> !u.isEmpty()).toList()) {
                String id = "configured-" + new DigestUtils(MessageDigestAlgorithms.SHA_256).digestAsHex(url).substring(0, 12);
                repos.add(new RemoteRepository.Builder(id, "default", url).setPolicy(strict).build());
            }
            return repos;
        }
        try (InputStream in = MavenLibraries.class.getClassLoader().getResourceAsStream(SUPER_POM)) {
            if (in == null) throw new LibraryException("Maven's super POM (" + SUPER_POM + ") is not on the class path; set ncclffm.maven.repositories");
            Model superPom = new MavenXpp3Reader().read(in);
            List<RemoteRepository> repos = new ArrayList<>();
            for (Repository r : superPom.getRepositories()) {
                boolean snapshots = r.getSnapshots() == null || r.getSnapshots().isEnabled();
                repos.add(new RemoteRepository.Builder(r.getId(), r.getLayout(), r.getUrl())
                        .setReleasePolicy(strict)
                        .setSnapshotPolicy(new RepositoryPolicy(snapshots, RepositoryPolicy.UPDATE_POLICY_DAILY, RepositoryPolicy.CHECKSUM_POLICY_FAIL))
                        .build());
            }
            return repos;
        } catch (IOException | XmlPullParserException e) {
            throw new LibraryException("cannot read Maven's super POM (" + SUPER_POM + "): " + e.getMessage(), e);
        }
    }

    public List<RemoteRepository> repositories() {
        return repositories;
    }

    public Path localRepository() {
        return localRepository;
    }

    /**
     * Resolves the artifact and copies its entry to {@code target}.
     *
     * @param scratch a folder (made when needed) that lives until this returns, for a local repository of this download alone
     */
    void fetch(LibrarySource.MavenArtifact source, Path target, Path scratch) {
        Path artifact = resolve(source.coordinates(), scratch);
        ArchiveEntry.extract(artifact, source.entry(), target, "artifact " + source.coordinates());
    }

    /**
     * The artifact's file in the local repository, downloaded there first when it is not yet. Where the local
     * repository holds the artifact from another repository than these, Maven would hand over that copy once the
     * artifact merely exists here too (it takes one release to be one file everywhere); it is downloaded into
     * {@code scratch} instead, and checked against these repositories' checksums.
     */
    Path resolve(String coordinates, Path scratch) {
        refuseHttp(coordinates);
        Artifact artifact = new DefaultArtifact(coordinates);
        try (RepositorySystem system = new RepositorySystemSupplier().get()) {
            Path local = heldFromElsewhere(system, artifact) ? scratch.resolve("repository") : localRepository;
            try (RepositorySystemSession.CloseableSession session = session(system, local)) {
                ArtifactRequest request = new ArtifactRequest(artifact, system.newResolutionRepositories(session, repositories), null);
                return system.resolveArtifact(session, request).getArtifact().getPath();
            }
        } catch (ArtifactResolutionException e) {
            ChecksumFailureException checksum = checksumFailure(e);
            if (checksum != null) {
                throw new LibraryException("artifact " + coordinates + " failed checksum validation, so it was not used ("
                        + checksum.getMessage() + "; repositories tried: " + tried() + "): the download was altered or the "
                        + "repository's checksum file is wrong", e);
            }
            throw new LibraryException("artifact " + coordinates + " was not found in the repositories tried ("
                    + tried() + "; local repository " + localRepository + "): " + e.getMessage(), e);
        }
    }

    private static RepositorySystemSession.CloseableSession session(RepositorySystem system, Path localRepository) {
        return new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .withTransferListener(new Progress())
                .setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_FAIL)
                .build();
    }

    /** Whether the local repository holds the artifact as downloaded from a repository other than these. */
    private boolean heldFromElsewhere(RepositorySystem system, Artifact artifact) {
        try (RepositorySystemSession.CloseableSession session = session(system, localRepository)) {
            LocalArtifactResult held = session.getLocalRepositoryManager().find(session,
                    new LocalArtifactRequest(artifact, system.newResolutionRepositories(session, repositories), null));
            boolean elsewhere = held.getPath() != null && !held.isAvailable();
            if (elsewhere) {
                System.err.printf("[ncclffm] %s is in the local repository %s as downloaded from another repository than %s; "
                        + "downloading it apart%n", artifact, localRepository, tried());
            }
            return elsewhere;
        }
    }

    private void refuseHttp(String coordinates) {
        if (allowHttp) return;
        for (RemoteRepository r : repositories) {
            if (r.getUrl().regionMatches(true, 0, "http:", 0, 5)) {
                throw new LibraryException("artifact " + coordinates + ": repository " + r.getId() + " " + r.getUrl()
                        + " is plain http, where whoever sits on the path can serve another file with a matching checksum; "
                        + "use https, or allow it explicitly with -D" + ALLOW_HTTP + "=true (the fetch and matrix commands: "
                        + "--maven-allow-http)");
            }
        }
    }

    /** The checksum failure behind a resolution error, searched through causes, suppressed errors and per-artifact results. */
    private static ChecksumFailureException checksumFailure(Throwable e) {
        Deque<Throwable> todo = new ArrayDeque<>(List.of(e));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) continue;
            if (t instanceof ChecksumFailureException c) return c;
            if (t.getCause() != null) todo.push(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
            if (t instanceof ArtifactResolutionException r) r.getResults().forEach(result -> todo.addAll(result.getExceptions()));
        }
        return null;
    }

    private String tried() {
        return repositories.stream().map(r -> r.getId() + " " + r.getUrl()).collect(Collectors.joining(", "));
    }

    /** Redist jars are up to 2 GB: say what is being downloaded, and when it is done. */
    private static final class Progress extends AbstractTransferListener {
        @Override
        public void transferStarted(TransferEvent event) {
            if (event.getResource().getResourceName().endsWith(".jar") || event.getResource().getResourceName().endsWith(".zip")) {
                System.err.printf("[ncclffm] downloading %s%s%n", event.getResource().getRepositoryUrl(), event.getResource().getResourceName());
            }
        }

        @Override
        public void transferSucceeded(TransferEvent event) {
            if (event.getTransferredBytes() > (1 << 20)) {
                System.err.printf("[ncclffm] downloaded %s (%d MB)%n", event.getResource().getResourceName(), event.getTransferredBytes() >> 20);
            }
        }
    }
}
