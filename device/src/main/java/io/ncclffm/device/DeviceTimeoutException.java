package io.ncclffm.device;

import java.time.Duration;

/** A stream did not drain within its deadline: typically a collective waiting for a peer that never comes. */
public final class DeviceTimeoutException extends DeviceException {

    public DeviceTimeoutException(String what, Duration timeout) {
        super(what + " did not complete within " + timeout.toMillis() + " ms");
    }
}
