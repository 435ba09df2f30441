package io.ncclffm.harness.launch;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;
import org.testcontainers.utility.ResourceReaper;
import org.testcontainers.utility.TestcontainersConfiguration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;

/**
 * The harness's one way to the Docker daemon, ready before Testcontainers is first used, so that a host without a
 * registry finds out in seconds what it has, whatever is set in its environment.
 *
 * <p>Left to itself, Testcontainers starts Ryuk (its reaper, an image from Docker Hub) and runs start-up checks in
 * another image from Docker Hub the first time it is asked for a client; offline, it retries the pulls for minutes and
 * then says Docker is not available. It reads whether to do so only from environment variables
 * ({@code TESTCONTAINERS_RYUK_DISABLED}, {@code TESTCONTAINERS_CHECKS_DISABLE}), which a process cannot set for itself.
 * So the harness decides here:
 * <ul>
 *   <li>Ryuk's image is on the daemon and Ryuk is not turned off: Testcontainers starts as it would, Ryuk and its
 *       checks (which then run in Ryuk's container) included. Nothing is pulled.</li>
 *   <li>Otherwise Ryuk is off, and the harness says so when it turned it off itself: the harness removes every
 *       container, network and volume it starts ({@link RunResources}, {@link RankReaper}), so Ryuk is a second net,
 *       not a need. Testcontainers is handed the daemon's client as it is, without its start-up checks, which would
 *       pull their image, and without asking for the daemon's address, which inside a container would start a helper
 *       from yet another image.</li>
 * </ul>
 * Testcontainers keeps its choices in fields that nothing public sets; they are set here by reflection, and where a
 * Testcontainers release has moved them the harness says so and lets Testcontainers start its own way.
 */
public final class DockerConnection {

    static final String RYUK_DISABLED = "TESTCONTAINERS_RYUK_DISABLED";

    private static boolean prepared;
    private static String problem;

    private DockerConnection() {
    }

    /** Why containers cannot run here, or {@code null} when Docker answers. The daemon is asked once. */
    public static synchronized String problem() {
        prepare();
        return problem;
    }

    /**
     * The client Testcontainers uses too.
     *
     * @throws HarnessException saying why Docker cannot be used
     */
    public static synchronized DockerClient client() {
        prepare();
        if (problem != null) throw new HarnessException(problem);
        return DockerClientFactory.instance().client();
    }

    private static void prepare() {
        if (prepared) return;
        prepared = true;
        // A DOCKER_HOST that names a socket which does not exist is answered at once; Testcontainers would try other
        // strategies (and a cached one) before it gives up.
        String host = System.getenv("DOCKER_HOST");
        if (host != null && host.startsWith("unix://") && !Files.exists(Path.of(host.substring("unix://".length())))) {
            problem = "Docker is not available: DOCKER_HOST=" + host + " names a socket that does not exist";
            return;
        }
        DockerClientFactory factory = DockerClientFactory.instance();
        DockerClient daemon;
        try {
            TransportConfig transport = factory.getTransportConfig();
            daemon = DockerClientProviderStrategy.getClientForConfig(transport);
            daemon.pingCmd().exec();
        } catch (RuntimeException e) {
            problem = "Docker is not available (no daemon answered at DOCKER_HOST or /var/run/docker.sock): " + e.getMessage();
            return;
        }
        boolean ryukOff = Boolean.parseBoolean(System.getenv(RYUK_DISABLED));
        if (!ryukOff) {
            String ryuk = TestcontainersConfiguration.getInstance().getRyukImage();
            if (present(daemon, ryuk)) {
                startTestcontainers(factory);
                return;
            }
            try {
                useJvmHookReaper();
            } catch (ReflectiveOperationException | RuntimeException e) {
                System.err.println("[ncclffm] Ryuk's image " + ryuk + " is not on the Docker host, and Ryuk cannot be turned off from"
                        + " here (" + e + "): Testcontainers will try to pull it; set " + RYUK_DISABLED + "=true where no registry is"
                        + " reachable");
                startTestcontainers(factory);
                return;
            }
            System.out.println("[ncclffm] Ryuk's image " + ryuk + " is not on the Docker host, so Ryuk is off (nothing is pulled):"
                    + " the harness removes what it starts itself");
        }
        try {
            Field client = DockerClientFactory.class.getDeclaredField("client");
            client.setAccessible(true);
            client.set(factory, daemon);
            ResourceReaper.instance().init();
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("[ncclffm] cannot hand Testcontainers its client (" + e + "); it starts its own way, and its start-up"
                    + " checks may pull an image: set TESTCONTAINERS_CHECKS_DISABLE=true where no registry is reachable");
            startTestcontainers(factory);
        }
    }

    private static void startTestcontainers(DockerClientFactory factory) {
        try {
            factory.client();
        } catch (RuntimeException e) {
            problem = "Docker is not available: " + e.getMessage();
        }
    }

    /** Testcontainers' reaper without Ryuk, the one it takes itself when {@value #RYUK_DISABLED} is set. */
    private static void useJvmHookReaper() throws ReflectiveOperationException {
        Class<?> hook = Class.forName("org.testcontainers.utility.JVMHookResourceReaper");
        Constructor<?> make = hook.getDeclaredConstructor();
        make.setAccessible(true);
        Field instance = ResourceReaper.class.getDeclaredField("instance");
        instance.setAccessible(true);
        synchronized (ResourceReaper.class) {
            Object current = instance.get(null);
            if (current != null && !hook.isInstance(current)) {
                throw new IllegalStateException("Testcontainers has chosen its reaper already: " + current.getClass().getName());
            }
            if (current == null) instance.set(null, make.newInstance());
        }
    }

    private static boolean present(DockerClient daemon, String image) {
        try {
            daemon.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
