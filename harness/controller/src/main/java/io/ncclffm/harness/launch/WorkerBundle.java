package io.ncclffm.harness.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.spi.ToolProvider;

import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.io.FileUtils;

/**
 * What a rank needs to run the worker: a Java runtime and the worker's self-contained jar. Containers get both
 * copied in (no bind mount, so docker-in-docker works), so any image that merely contains the library can be
 * tested as it is.
 */
public record WorkerBundle(Path jre, Path jar) {

    /** Modules the worker (and the standalone matrix runner) need; everything else is left out of the runtime. */
    static final String MODULES = "java.base,java.logging,java.management,java.naming,java.net.http,java.sql,"
            + "java.xml,jdk.unsupported,jdk.crypto.ec,jdk.zipfs";

    public static final String JAR_PROPERTY = "ncclffm.worker.jar";
    public static final String JRE_PROPERTY = "ncclffm.worker.jre";

    public Path java() {
        return jre.resolve("bin/java");
    }

    /** Where the build puts the worker's jar among this module's classes (harness/controller/pom.xml, worker-payload). */
    static final String JAR_RESOURCE = "ncclffm-harness-worker.jar";

    /**
     * The worker jar from {@value #JAR_PROPERTY}, else the one this jar carries as a resource, unpacked once into
     * {@code ~/.cache/ncclffm/worker/} under a name taken from its content (so runs of other builds never share one).
     */
    public static Path locateJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null) {
            Path p = Path.of(configured);
            if (!Files.isRegularFile(p)) {
                throw new HarnessException(JAR_PROPERTY + "='" + configured + "' is not a file; expected the worker's "
                        + "-all.jar (mvn package builds it in harness/worker/target)");
            }
            return p;
        }
        byte[] jar;
        try (InputStream in = WorkerBundle.class.getResourceAsStream(JAR_RESOURCE)) {
            if (in == null) {
                throw new HarnessException("the worker's jar is not among the controller's resources (mvn package puts it"
                        + " there); set -D" + JAR_PROPERTY + "=harness/worker/target/ncclffm-harness-worker-<version>-all.jar");
            }
            jar = in.readAllBytes();
        } catch (IOException e) {
            throw new HarnessException("cannot read the worker's jar from the controller's resources", e);
        }
        Path target = Path.of(System.getProperty("user.home"), ".cache", "ncclffm", "worker",
                "ncclffm-harness-worker-" + DigestUtils.sha256Hex(jar).substring(0, 16) + ".jar");
        if (Files.isRegularFile(target)) return target;
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "worker", ".jar.tmp");
            Files.write(tmp, jar);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new HarnessException("cannot unpack the worker's jar into " + target.getParent(), e);
        }
    }

    /**
     * The runtime for ranks: {@value #JRE_PROPERTY} if set; else this JVM's own runtime when it is already a
     * trimmed one (no jlink in it); else a trimmed runtime made once with jlink and cached under
     * {@code ~/.cache/ncclffm}.
     */
    public static Path locateJre() {
        String configured = System.getProperty(JRE_PROPERTY, System.getenv("NCCLFFM_WORKER_JRE"));
        if (configured != null) {
            Path p = Path.of(configured);
            if (!Files.isExecutable(p.resolve("bin/java"))) {
                throw new HarnessException(JRE_PROPERTY + "='" + configured + "' has no executable bin/java");
            }
            return p;
        }
        Path home = Path.of(System.getProperty("java.home"));
        var jlink = ToolProvider.findFirst("jlink");
        if (jlink.isEmpty()) return home;
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "ncclffm",
                "jre-" + Runtime.version() + "-" + Integer.toHexString(MODULES.hashCode()));
        if (Files.isExecutable(cache.resolve("bin/java"))) return cache;
        return link(jlink.get(), cache);
    }

    private static synchronized Path link(ToolProvider jlink, Path target) {
        if (Files.isExecutable(target.resolve("bin/java"))) return target;
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(target.getParent());
            FileUtils.deleteDirectory(tmp.toFile()); // a run that died while linking
            StringWriter out = new StringWriter();
            int rc = jlink.run(new PrintWriter(out), new PrintWriter(out), "--add-modules", MODULES, "--strip-debug",
                    "--no-man-pages", "--no-header-files", "--output", tmp.toString());
            if (rc != 0) throw new HarnessException("jlink failed (" + rc + "): " + out);
            Files.move(tmp, target);
            return target;
        } catch (IOException e) {
            throw new HarnessException("cannot make the worker runtime under " + target, e);
        }
    }

    public static WorkerBundle locate() {
        return new WorkerBundle(locateJre(), locateJar());
    }
}
