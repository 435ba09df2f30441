package io.ncclffm.harness.ci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's own files, read from the controller module's working directory (harness/controller). */
final class ProjectFiles {

    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    private ProjectFiles() {
    }

    /** Every Maven profile id declared in any pom of the project. */
    static Set<String> profiles() throws IOException {
        Set<String> ids = new LinkedHashSet<>();
        Pattern p = Pattern.compile("<profile>\\s*<id>([^<]+)</id>");
        for (String pom : new String[] {"pom.xml", "binding/pom.xml", "device/pom.xml", "harness/protocol/pom.xml", "harness/worker/pom.xml", "harness/controller/pom.xml", "bench/pom.xml"}) {
            Matcher m = p.matcher(Files.readString(ROOT.resolve(pom)));
            while (m.find()) ids.add(m.group(1).strip());
        }
        return ids;
    }
}
