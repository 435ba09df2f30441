package io.ncclffm.harness.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The few calls of Docker's Engine API that cleanup needs: list containers, networks and volumes by label, and remove
 * them. It speaks HTTP on the daemon's socket with the JDK and Jackson alone, so that the reaper ({@link RankReaper}),
 * a small JVM that outlives the controller, needs neither Testcontainers nor docker-java; and it bounds every call,
 * so that a shutdown that cleans up cannot hang on a daemon that does not answer.
 */
public final class DockerEngine {

    /** The longest one call may take, connection included; the channel is closed when it runs out. */
    static final Duration CALL_BOUND = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ncclffm-docker-deadline").daemon().factory());

    /** What can be listed and removed. */
    public enum Kind { CONTAINER, NETWORK, VOLUME }

    /** A container, network or volume, with its labels. */
    public record Resource(Kind kind, String id, Map<String, String> labels) {
        @Override
        public String toString() {
            return kind.name().toLowerCase() + " " + (id.length() > 12 ? id.substring(0, 12) : id);
        }
    }

    private final URI endpoint;

    private DockerEngine(URI endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * @param dockerHost {@code unix:///path/to/docker.sock} or {@code tcp://host:port} (without TLS), as
     *                   {@code DOCKER_HOST} names it
     * @throws IllegalArgumentException for any other form
     */
    public static DockerEngine at(String dockerHost) {
        URI uri = URI.create(dockerHost);
        if (!"unix".equals(uri.getScheme()) && !"tcp".equals(uri.getScheme()) || "tcp".equals(uri.getScheme()) && uri.getPort() < 0) {
            throw new IllegalArgumentException("expected unix:///path or tcp://host:port for the Docker daemon, got " + dockerHost);
        }
        return new DockerEngine(uri);
    }

    /** The daemon's address, as {@link #at} takes it. */
    public String endpoint() {
        return endpoint.toString();
    }

    /** Every resource of this kind that carries {@code label} ({@code key} or {@code key=value}), containers in any state. */
    public List<Resource> list(Kind kind, String label) {
        String filters = URLEncoder.encode("{\"label\":[" + quote(label) + "]}", StandardCharsets.UTF_8);
        String path = switch (kind) {
            case CONTAINER -> "/containers/json?all=1&filters=" + filters;
            case NETWORK -> "/networks?filters=" + filters;
            case VOLUME -> "/volumes?filters=" + filters;
        };
        JsonNode body = json(call("GET", path), path);
        JsonNode items = kind == Kind.VOLUME ? body.path("Volumes") : body;
        List<Resource> out = new ArrayList<>();
        for (JsonNode item : items) {
            String id = item.path(kind == Kind.VOLUME ? "Name" : "Id").asText("");
            if (id.isEmpty()) continue;
            Map<String, String> labels = new LinkedHashMap<>();
            item.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new Resource(kind, id, labels));
        }
        return out;
    }

    /**
     * Removes it: a container by force, with its anonymous volumes. One that is already gone counts as removed.
     *
     * @throws HarnessException when the daemon refuses (a network still in use, a volume still mounted)
     */
    public void remove(Resource r) {
        String path = switch (r.kind()) {
            case CONTAINER -> "/containers/" + r.id() + "?force=1&v=1";
            case NETWORK -> "/networks/" + r.id();
            case VOLUME -> "/volumes/" + r.id();
        };
        Response response = call("DELETE", path);
        if (response.status() / 100 != 2 && response.status() != 404) {
            throw new HarnessException("Docker refused to remove " + r + ": " + response.status() + " " + response.body().strip());
        }
    }

    private record Response(int status, String body) {
    }

    private static JsonNode json(Response r, String path) {
        if (r.status() / 100 != 2) throw new HarnessException("Docker answered GET " + path + " with " + r.status() + " " + r.body().strip());
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new HarnessException("Docker's answer to GET " + path + " is not JSON: " + r.body(), e);
        }
    }

    /** One HTTP/1.0 exchange (the daemon then neither keeps the connection nor chunks the body), bounded. */
    private Response call(String method, String path) {
        SocketChannel channel = null;
        ScheduledFuture<?> deadline = null;
        try {
            channel = "unix".equals(endpoint.getScheme()) ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            SocketChannel ch = channel;
            deadline = DEADLINES.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the call fails with it, which is the point
                }
            }, CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            channel.connect("unix".equals(endpoint.getScheme()) ? UnixDomainSocketAddress.of(endpoint.getPath())
                    : new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
            ByteBuffer request = ByteBuffer.wrap((method + " " + path + " HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) channel.write(request);
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            while (channel.read(buffer) >= 0) {
                raw.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return parse(raw.toByteArray(), method + " " + path);
        } catch (IOException e) {
            throw new HarnessException("cannot " + method + " " + path + " on the Docker daemon at " + endpoint + " within "
                    + CALL_BOUND.toSeconds() + " s: " + e, e);
        } finally {
            if (deadline != null) deadline.cancel(false);
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closed either way
                }
            }
        }
    }

    private static Response parse(byte[] raw, String what) {
        int end = -1;
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) throw new HarnessException("Docker's answer to " + what + " has no header: " + new String(raw, StandardCharsets.UTF_8));
        String[] head = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = head[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) throw new HarnessException("Docker's answer to " + what + ": " + head[0]);
        int code = Integer.parseInt(status[1]);
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        for (String h : head) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) body = unchunk(body);
        }
        return new Response(code, new String(body, StandardCharsets.UTF_8));
    }

    /** A chunked body, joined (a daemon may chunk even an HTTP/1.0 answer's body). */
    private static byte[] unchunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int eol = at;
            while (eol + 1 < body.length && !(body[eol] == '\r' && body[eol + 1] == '\n')) eol++;
            if (eol + 1 >= body.length) break;
            String sizeLine = new String(body, at, eol - at, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
            if (size == 0) break;
            out.write(body, eol + 2, Math.min(size, body.length - eol - 2));
            at = eol + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
