package io.ncclffm.harness.report;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host a run ran on, as the run's record ({@link RunManifest}) and Allure's environment give it: what a sign-off
 * compares between two runs, since a different GPU model or driver changes what a run proves.
 *
 * @param name   the host's name
 * @param os     name, version and architecture
 * @param gpus   one line per GPU as {@code nvidia-smi} lists it (name, driver, memory); empty without a GPU
 * @param driver the NVIDIA driver's version, or {@code none}
 * @param cuda   the CUDA version the driver supports, as {@code nvidia-smi} names it, or {@code none}
 */
public record HostFacts(String name, String os, int cpus, String java, List<String> gpus, String driver, String cuda) {

    private static final Pattern CUDA = Pattern.compile("CUDA Version:\\s*([0-9.]+)");

    public HostFacts {
        gpus = gpus == null ? List.of() : List.copyOf(gpus);
    }

    /** This host's facts; each outside command is bounded, and what cannot be found is {@code none} or {@code unknown}. */
    public static HostFacts probe() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        String smi = command("nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader");
        List<String> gpus = smi == null ? List.of() : smi.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String driver = command("nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader");
        String header = command("nvidia-smi");
        Matcher m = header == null ? null : CUDA.matcher(header);
        return new HostFacts(host, System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), Runtime.version().toString(), gpus,
                driver == null ? "none" : driver.lines().findFirst().orElse("none").strip(),
                m != null && m.find() ? m.group(1) : "none");
    }

    /**
     * A command's output when it exits 0 within 10 seconds, else {@code null}. The output goes to a file, not a pipe,
     * so that a command that hangs never blocks the read.
     */
    static String command(String... cmd) {
        Path out = null;
        try {
            out = Files.createTempFile("ncclffm-host", ".txt");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 && !text.isEmpty() ? text : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            try {
                if (out != null) Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }
}
