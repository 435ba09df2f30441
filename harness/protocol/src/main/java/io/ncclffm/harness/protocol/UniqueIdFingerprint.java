package io.ncclffm.harness.protocol;

import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.ncclffm.UniqueId;

/**
 * What a rank says of the unique ID it used, without the ID itself (whose bytes embed rank 0's bootstrap address):
 * the start of the ID's SHA-256 in lower-case hex ({@link UniqueId#fingerprint()}). Ranks of one communicator must
 * report the same one. It travels as a JSON string.
 *
 * @param hex lower-case hex digits
 */
public record UniqueIdFingerprint(@JsonValue String hex) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,64}");

    public UniqueIdFingerprint {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("a unique-ID fingerprint is 1 to 64 lower-case hex digits, got '" + hex + "'");
        }
    }

    @JsonCreator
    public static UniqueIdFingerprint of(String hex) {
        return new UniqueIdFingerprint(hex);
    }

    public static UniqueIdFingerprint of(UniqueId id) {
        return new UniqueIdFingerprint(id.fingerprint());
    }

    @Override
    public String toString() {
        return hex;
    }
}
