package io.ncclffm.harness.matrix;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long the controller waits before it ends ranks that can no longer finish (see the launch package's
 * {@code RankSupervisor}): a rank that stays in a phase its peers left ({@value #HUNG}), and the ranks that live on
 * after one died ({@value #PEER_DEATH}). A cell's {@code env} sets its own, which the launcher reads and does not
 * pass to the ranks; longer where a slow library or host needs it, shorter where a drill wants its answer sooner.
 *
 * @param hung      how long after a peer went on a rank may stay in the phase the peer left
 * @param peerDeath once a rank has died, how long the others get to notice through their own timeouts
 */
public record SupervisionGraces(Duration hung, Duration peerDeath) {

    public static final String HUNG = "NCCLFFM_HUNG_GRACE_S";
    public static final String PEER_DEATH = "NCCLFFM_PEER_DEATH_GRACE_S";
    /** The variables a cell's env may set for the controller. */
    public static final Set<String> VARIABLES = Set.of(HUNG, PEER_DEATH);

    /** Long enough for a peer's collective timeout to fire and its report to arrive. */
    public static final Duration DEFAULT_HUNG = Duration.ofSeconds(30);
    /** Long enough for the survivors' rendezvous or collective timeouts to fire and their reports to arrive. */
    public static final Duration DEFAULT_PEER_DEATH = Duration.ofSeconds(45);
    public static final SupervisionGraces DEFAULTS = new SupervisionGraces(DEFAULT_HUNG, DEFAULT_PEER_DEATH);

    private static final int MAX_SECONDS = 3600;
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,4}");

    /** The graces of the cell whose env is {@code env}: its own where it sets them, the defaults otherwise. */
    public static SupervisionGraces of(Map<String, String> env) {
        return new SupervisionGraces(
                env.containsKey(HUNG) ? parse(HUNG, env.get(HUNG)) : DEFAULT_HUNG,
                env.containsKey(PEER_DEATH) ? parse(PEER_DEATH, env.get(PEER_DEATH)) : DEFAULT_PEER_DEATH);
    }

    /**
     * Checks one of {@link #VARIABLES} as the launcher will read it.
     *
     * @throws IllegalArgumentException naming what the variable takes
     */
    public static void check(String name, String value) {
        parse(name, value);
    }

    private static Duration parse(String name, String raw) {
        String v = raw == null ? "" : raw.strip();
        Matcher m = SECONDS.matcher(v);
        if (m.matches()) {
            int s = Integer.parseInt(v);
            if (s >= 1 && s <= MAX_SECONDS) return Duration.ofSeconds(s);
        }
        throw new IllegalArgumentException(name + "='" + raw + "': expected whole seconds from 1 to " + MAX_SECONDS);
    }
}
