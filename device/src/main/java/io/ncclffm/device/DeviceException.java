package io.ncclffm.device;

/** A CUDA or HIP call failed; the message has the call, the error code and the runtime's description. */
public class DeviceException extends RuntimeException {

    private final int code;

    public DeviceException(String operation, int code, String errorText) {
        super(operation + " failed: " + code + " (" + errorText + ")");
        this.code = code;
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
        this.code = -1;
    }

    protected DeviceException(String message) {
        super(message);
        this.code = -1;
    }

    public int code() {
        return code;
    }
}
