package io.ncclffm.harness.library;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.maven.model.Model;
import org.apache.maven.model.Repository;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;
import org.codehaus.plexus.util.xml.pull.XmlPullParserException;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;

/**
 * Resolves {@link LibrarySource.MavenArtifact}s with Maven's own resolver, into the local repository Maven uses (so
 * an artifact already there is not downloaded again), and takes the library out of the artifact.
 *
 * <p>The remote repositories are {@code ncclffm.maven.repositories} (comma-separated URLs; {@code file:} URLs
 * work) or else the ones Maven's super POM declares; the local repository is {@code maven.repo.local} or else
 * {@code ~/.m2/repository}.
 */
public final class MavenLibraries {

    /** Maven's super POM, which declares Central: read from Maven's own model builder rather than written here. */
    private static final String SUPER_POM = "org/apache/maven/model/pom-4.0.0.xml";

    private final List<RemoteRepository> repositories;
    private final Path localRepository;

    public MavenLibraries(List<RemoteRepository> repositories, Path localRepository) {
        this.repositories = List.copyOf(repositories);
        this.localRepository = localRepository.toAbsolutePath().normalize();
    }

    /** The repositories and local repository the system properties name, with Maven's defaults. */
    public static MavenLibraries fromSystemProperties() {
        String local = System.getProperty("maven.repo.local");
        Path localRepo = local != null && !local.isBlank() ? Path.of(local)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return new MavenLibraries(repositories(System.getProperty("ncclffm.maven.repositories")), localRepo);
    }

    /** {@code urls} (comma-separated) as repositories, or the super POM's when {@code urls} is null or blank. */
    public static List<RemoteRepository> repositories(String urls) {
        if (urls != null && !urls.isBlank()) {
            List<RemoteRepository> repos = new ArrayList<>();
            List<String> list = Arrays.stream(urls.split(",")).map(String::strip).filter(u -> !u.isEmpty()).toList();
            for (int i = 0; i < list.size(); i++) {
                repos.add(new RemoteRepository.Builder(i == 0 ? "configured" : "configured-" + (i + 1), "default", list.get(i)).build());
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
                        .setSnapshotPolicy(new RepositoryPolicy(snapshots, RepositoryPolicy.UPDATE_POLICY_DAILY, RepositoryPolicy.CHECKSUM_POLICY_WARN))
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

    /** Resolves the artifact and copies its entry to {@code target}. */
    void fetch(LibrarySource.MavenArtifact source, Path target) {
        Path artifact = resolve(source.coordinates());
        ArchiveEntry.extract(artifact, source.entry(), target, "artifact " + source.coordinates());
    }

    /** The artifact's file in the local repository, downloaded there first when it is not yet. */
    Path resolve(String coordinates) {
        try (RepositorySystem system = new RepositorySystemSupplier().get();
             RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                     .withLocalRepositoryBaseDirectories(localRepository)
                     .withTransferListener(new Progress())
                     .build()) {
            ArtifactRequest request = new ArtifactRequest(new DefaultArtifact(coordinates),
                    system.newResolutionRepositories(session, repositories), null);
            ArtifactResult result = system.resolveArtifact(session, request);
            return result.getArtifact().getPath();
        } catch (ArtifactResolutionException e) {
            throw new LibraryException("artifact " + coordinates + " was not found in the repositories tried ("
                    + tried() + "; local repository " + localRepository + "): " + e.getMessage(), e);
        }
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
