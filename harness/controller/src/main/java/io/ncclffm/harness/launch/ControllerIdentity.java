package io.ncclffm.harness.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which controller process made something, precisely enough to prove later that it is gone: a process id alone is
 * reused, and means nothing on another host, in another PID namespace or after a reboot. The process's start time (in
 * clock ticks since boot, from {@code /proc/PID/stat}) tells a reused id apart; the host name, the kernel's boot id and
 * the PID namespace say whether the id can be looked up here at all.
 *
 * @param host        the host name
 * @param pid         the process id, in {@code pidNamespace}
 * @param startTicks  when the process started, in clock ticks since boot
 * @param bootId      {@code /proc/sys/kernel/random/boot_id}
 * @param pidNamespace the PID namespace, as {@code /proc/self/ns/pid} names it (e.g. {@code pid:[4026531836]})
 */
public record ControllerIdentity(String host, long pid, long startTicks, String bootId, String pidNamespace) {

    private static final String PREFIX = "io.ncclffm.harness.controller.";
    static final String HOST = PREFIX + "host";
    static final String PID = PREFIX + "pid";
    static final String START = PREFIX + "start-ticks";
    static final String BOOT = PREFIX + "boot-id";
    static final String PID_NAMESPACE = PREFIX + "pid-namespace";

    /** This process. */
    public static ControllerIdentity current() {
        long pid = ProcessHandle.current().pid();
        Long start = startTicksOf(pid);
        return new ControllerIdentity(read(Path.of("/proc/sys/kernel/hostname")), pid, start == null ? -1 : start,
                read(Path.of("/proc/sys/kernel/random/boot_id")), namespace());
    }

    /**
     * When process {@code pid} of this PID namespace started, in clock ticks since boot; {@code null} when there is no
     * such process (or no {@code /proc} to ask).
     */
    public static Long startTicksOf(long pid) {
        String[] stat = stat(pid);
        return stat == null ? null : Long.parseLong(stat[19]);
    }

    /**
     * Whether process {@code pid} of this PID namespace is the one that started at {@code startTicks} and has not exited.
     * A process that exited but was not yet reaped by its parent (a zombie) has exited.
     */
    public static boolean running(long pid, long startTicks) {
        String[] stat = stat(pid);
        return stat != null && Long.parseLong(stat[19]) == startTicks && !stat[0].equals("Z") && !stat[0].equals("X");
    }

    /** The fields of {@code /proc/PID/stat} from field 3 (the state) on; {@code null} when there is no such process. */
    private static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces and ')'; the fields after the last ')'
            // start with field 3, so field 22, the start time, is the 20th of them.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            Long.parseLong(after[19]);
            return after;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether this controller is provably gone, as seen from here: only when it ran on this host, in this boot and in
     * this PID namespace, and its process id now names no process, one that started at another time, or one that has
     * exited and awaits its parent (a zombie). A controller
     * of another host, boot or namespace (another machine on the same Docker daemon, a controller inside a container)
     * can never be proven gone from here, so whatever it made is left alone.
     */
    public boolean provablyGone() {
        ControllerIdentity here = current();
        if (startTicks < 0 || here.startTicks < 0 || here.host.isEmpty() || here.bootId.isEmpty() || here.pidNamespace.isEmpty()) {
            return false;
        }
        if (!host.equals(here.host) || !bootId.equals(here.bootId) || !pidNamespace.equals(here.pidNamespace)) return false;
        return !running(pid, startTicks);
    }

    /** The labels that carry this identity on a container, network or volume. */
    public Map<String, String> toLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(HOST, host);
        labels.put(PID, Long.toString(pid));
        labels.put(START, Long.toString(startTicks));
        labels.put(BOOT, bootId);
        labels.put(PID_NAMESPACE, pidNamespace);
        return labels;
    }

    /** The identity {@link #toLabels()} wrote; empty when any label is missing or malformed (never provably gone). */
    public static Optional<ControllerIdentity> fromLabels(Map<String, String> labels) {
        if (labels == null) return Optional.empty();
        String host = labels.get(HOST), pid = labels.get(PID), start = labels.get(START), boot = labels.get(BOOT),
                ns = labels.get(PID_NAMESPACE);
        if (host == null || pid == null || start == null || boot == null || ns == null || host.isEmpty() || boot.isEmpty()
                || ns.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ControllerIdentity(host, Long.parseLong(pid), Long.parseLong(start), boot, ns));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "controller pid " + pid + " on " + host;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String namespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }
}
