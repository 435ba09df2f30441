package io.ncclffm.device.hip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ncclffm.device.CapturedGraph;
import io.ncclffm.device.DeviceBuffer;
import io.ncclffm.device.DeviceEvent;
import io.ncclffm.device.DeviceException;
import io.ncclffm.device.DeviceRuntime;
import io.ncclffm.device.DeviceStream;
import io.ncclffm.device.DeviceTimeoutException;

/**
 * {@link HipRuntime} against a stand-in libamdhip64 over host memory ({@code src/test/c/stub_hip.c}): every call
 * HipRuntime binds, with the argument order and types of hip_runtime_api.h, on a machine without a ROCm GPU. The
 * stub checks that a copy's hipMemcpyKind matches its pointers, so a direction mix-up fails here too.
 */
class HipRuntimeStubTest {

    private static final long GIB = 1L << 30;

    static HipStub stub;
    HipRuntime hip;

    @BeforeAll
    static void build() throws Exception {
        stub = HipStub.build();
    }

    @BeforeEach
    void open() {
        stub.reset();
        // A fresh runtime per test: its handle cache starts empty, so each test decides its own call order.
        hip = HipRuntime.open(stub.path);
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    private byte[] roundTrip(DeviceBuffer buffer, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocateFrom(JAVA_BYTE, bytes);
            hip.copyToDevice(buffer.address(), host, bytes.length);
            MemorySegment back = arena.allocate(bytes.length);
            hip.copyToHost(back, buffer.address(), bytes.length);
            return back.toArray(JAVA_BYTE);
        }
    }

    private byte[] readBack(DeviceBuffer buffer, int bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment back = arena.allocate(bytes);
            hip.copyToHost(back, buffer.address(), bytes);
            return back.toArray(JAVA_BYTE);
        }
    }

    @Test
    void open_onTheStub_reportsItsDriverVersionAndBothDevices() {
        assertEquals(60443483, hip.driverVersion());
        assertEquals("HIP driver 60443483", hip.describe());
        assertEquals(2, hip.deviceCount());
    }

    @Test
    void deviceNameAndPciBusId_ofEachOrdinal_areWhatHipReportsForIt() {
        assertEquals("Stub HIP Device 0", hip.deviceName(0));
        assertEquals("Stub HIP Device 1", hip.deviceName(1));
        assertEquals("0000:C2:00.0", hip.pciBusId(1));
        assertEquals(0, hip.computeCapability(1));
    }

    @Test
    void useDevice_makesThatOrdinalCurrent() {
        hip.useDevice(1);
        assertEquals(1, stub.currentDevice());
    }

    @Test
    void useDevice_ofAnOrdinalThatDoesNotExist_throwsWithHipsErrorNameAndString() {
        DeviceException e = assertThrows(DeviceException.class, () -> hip.useDevice(5));
        assertEquals(101, e.code());
        assertEquals("hipSetDevice(5) failed: 101 (hipErrorInvalidDevice: invalid device ordinal)", e.getMessage());
    }

    @Test
    void copyToDevice_thenCopyToHost_bringsBackTheSameBytes() {
        byte[] sent = pattern(4096, 7);
        try (DeviceBuffer buffer = hip.allocate(sent.length)) {
            assertArrayEquals(sent, roundTrip(buffer, sent));
        }
    }

    @Test
    void copies_alternatingDirectionsManyTimes_eachBringBackWhatWasLastSent() {
        try (DeviceBuffer buffer = hip.allocate(1024)) {
            hip.fill(buffer.address(), (byte) 0x11, 1024);
            byte[] filled = new byte[1024];
            java.util.Arrays.fill(filled, (byte) 0x11);
            // Starts with a copy to the host, so both directions are first bound in either order across the tests.
            assertArrayEquals(filled, readBack(buffer, 1024));
            for (int round = 0; round < 6; round++) {
                byte[] sent = pattern(1024, round);
                assertArrayEquals(sent, roundTrip(buffer, sent), "round " + round);
            }
        }
    }

    @Test
    void fill_setsEveryByteOfTheRange() {
        try (DeviceBuffer buffer = hip.allocate(300)) {
            hip.fill(buffer.address(), (byte) 0xA5, 300);
            byte[] back = readBack(buffer, 300);
            for (int i = 0; i < back.length; i++) assertEquals((byte) 0xA5, back[i], "byte " + i);
        }
    }

    @Test
    void copyToDevice_pastTheEndOfTheBuffer_throwsHipsInvalidValue() {
        try (DeviceBuffer buffer = hip.allocate(64); Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(128);
            DeviceException e = assertThrows(DeviceException.class, () -> hip.copyToDevice(buffer.address(), host, 128));
            assertEquals(1, e.code());
            assertTrue(e.getMessage().contains("hipErrorInvalidValue: invalid argument"), e.getMessage());
        }
    }

    @Test
    void allocate_takesItsSizeFromFreeMemory_andCloseGivesItBack() {
        DeviceRuntime.MemoryInfo before = hip.memoryInfo();
        assertEquals(16 * GIB, before.total());
        DeviceBuffer buffer = hip.allocate(1 << 20);
        assertEquals(before.free() - (1 << 20), hip.memoryInfo().free());
        assertEquals(1 << 20, hip.memoryInfo().used());
        assertEquals(1, stub.liveAllocations());
        buffer.close();
        assertEquals(0, stub.liveAllocations());
        assertEquals(before, hip.memoryInfo());
    }

    @Test
    void allocate_moreThanTheDeviceCanGive_throwsOutOfMemoryWithHipsOwnErrorString() {
        DeviceException e = assertThrows(DeviceException.class, () -> hip.allocate(2 * GIB));
        assertEquals(2, e.code());
        assertEquals("hipMalloc(2147483648) failed: 2 (hipErrorOutOfMemory: out of memory)", e.getMessage());
        assertEquals(0, stub.liveAllocations());
    }

    @Test
    void allocate_ofZeroBytes_isRejectedBeforeHipIsCalled() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hip.allocate(0));
        assertEquals("allocation size must be positive, got 0", e.getMessage());
    }

    @Test
    void synchronize_ofAStream_waitsUntilHipReportsItIdle() {
        stub.nextStreamBusyFor(3);
        try (DeviceStream stream = hip.createStream()) {
            assertNotEquals(0L, stream.address());
            assertFalse(stream.isIdle());
            hip.synchronize(stream, Duration.ofSeconds(10));
            assertTrue(stream.isIdle());
            // one busy answer to isIdle, two busy and one idle to synchronize, one idle to isIdle
            assertEquals(5, stub.streamQueries());
        }
        assertEquals(0, stub.liveHandles());
    }

    @Test
    void synchronize_ofAStreamThatNeverDrains_endsInATimeoutNamingTheStream() {
        stub.nextStreamBusyFor(Integer.MAX_VALUE);
        try (DeviceStream stream = hip.createStream()) {
            DeviceTimeoutException e = assertThrows(DeviceTimeoutException.class,
                    () -> hip.synchronize(stream, Duration.ofMillis(50)));
            assertEquals(stream + " did not complete within 50 ms", e.getMessage());
        }
    }

    @Test
    void elapsedSince_betweenTwoRecordsTwentyMillisecondsApart_isAtLeastTwentyMilliseconds() throws Exception {
        try (DeviceStream stream = hip.createStream(); DeviceEvent start = hip.createEvent(); DeviceEvent stop = hip.createEvent()) {
            start.record(stream);
            Thread.sleep(20);
            stop.record(stream);
            assertTrue(stop.isComplete());
            float ms = stop.elapsedSince(start);
            assertTrue(ms >= 20f && ms < 10_000f, "elapsed " + ms + " ms");
        }
        assertEquals(0, stub.liveHandles());
    }

    @Test
    void endCapture_afterBeginCapture_givesAGraphThatLaunchesOnAStream_andCloseDestroysIt() {
        try (DeviceStream stream = hip.createStream()) {
            hip.beginCapture(stream);
            try (CapturedGraph graph = hip.endCapture(stream)) {
                graph.launch(stream);
                graph.launch(stream);
                assertEquals(2, stub.graphLaunches());
            }
        }
        assertEquals(0, stub.liveHandles());
    }

    @Test
    void endCapture_withoutBeginCapture_throwsHipsIllegalState() {
        try (DeviceStream stream = hip.createStream()) {
            DeviceException e = assertThrows(DeviceException.class, () -> hip.endCapture(stream));
            assertEquals(401, e.code());
            assertTrue(e.getMessage().startsWith("hipStreamEndCapture failed: 401 (hipErrorIllegalState: "), e.getMessage());
        }
    }

    @Test
    void endCapture_whoseInstantiationFails_destroysTheCapturedGraphAndThrowsHipsError() {
        try (DeviceStream stream = hip.createStream()) {
            hip.beginCapture(stream);
            stub.failNextGraphInstantiate(2);
            DeviceException e = assertThrows(DeviceException.class, () -> hip.endCapture(stream));
            assertEquals("hipGraphInstantiate failed: 2 (hipErrorOutOfMemory: out of memory)", e.getMessage());
        }
        assertEquals(0, stub.liveHandles());
    }
}
