package io.ncclffm.device;

/** An instantiated graph captured from a stream. */
public interface CapturedGraph extends AutoCloseable {

    void launch(DeviceStream stream);

    @Override
    void close();
}
