package io.ncclffm.harness.launch;

/** The harness's infrastructure failed: Docker, an image build, a process start, a timeout. Cause attached. */
public class HarnessException extends RuntimeException {

    public HarnessException(String message) {
        super(message);
    }

    public HarnessException(String message, Throwable cause) {
        super(message, cause);
    }
}
