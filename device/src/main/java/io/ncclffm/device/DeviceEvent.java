package io.ncclffm.device;

/** A timing event. */
public interface DeviceEvent extends AutoCloseable {

    void record(DeviceStream stream);

    /** Milliseconds between {@code start} and this event, both recorded and completed. */
    float elapsedSince(DeviceEvent start);

    boolean isComplete();

    @Override
    void close();
}
