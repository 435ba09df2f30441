package io.ncclffm.device;

/** No usable GPU runtime here: no driver library, no device, or a driver too old. Callers report it as a skip. */
public final class DeviceUnavailableException extends DeviceException {

    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
