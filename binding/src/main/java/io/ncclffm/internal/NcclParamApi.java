package io.ncclffm.internal;

import static io.ncclffm.internal.CTypes.C_INT;
import static io.ncclffm.internal.CTypes.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.NcclVersion;

/**
 * Raw bindings of nccl.h's parameter API (NCCL 2.30.4): bind a key to a handle, read it typed, as a string or as
 * bytes, read a value by key, list the keys, dump them all. C names are kept and nothing is checked here.
 *
 * <p><b>One binding for both spellings of the handle.</b> 2.30.4 declares {@code typedef struct ncclParamHandle
 * ncclParamHandle_t;} with {@code ncclParamBind(ncclParamHandle_t** out, ...)} and getters taking
 * {@code ncclParamHandle_t* h}; 2.30.7 declares {@code typedef struct ncclParamHandle* ncclParamHandle_t;} with
 * {@code ncclParamBind(ncclParamHandle_t* out, ...)} and getters taking {@code ncclParamHandle_t h}. In both the
 * value written by bind and passed to the getters is one pointer to the same opaque struct (both releases'
 * {@code src/param/c_api.cc} cast the registry entry to it), so the machine-level signatures are identical: bind
 * takes a pointer to a pointer-sized slot, a getter takes a pointer by value. Here the handle is a
 * {@link MemorySegment} holding that pointer, which serves either header.
 */
public final class NcclParamApi {

    /** NCCL 2.30.4 added the parameter API (absent from 2.30.3's header, present in 2.30.4's and 2.30.7's). */
    public static final NcclVersion SINCE = NcclVersion.of(2, 30, 4);

    /** The typed getters, each {@code ncclResult_t ncclParamGetXn(ncclParamHandle_t h, intN_t/uintN_t* out);}. */
    public static final List<String> TYPED_GETTERS = List.of("ncclParamGetI8", "ncclParamGetI16", "ncclParamGetI32",
            "ncclParamGetI64", "ncclParamGetU8", "ncclParamGetU16", "ncclParamGetU32", "ncclParamGetU64");

    private final Downcall ncclParamBind;
    private final Map<String, Downcall> typedGetters = new LinkedHashMap<>();
    private final Downcall ncclParamGetStr;
    private final Downcall ncclParamGet;
    private final Downcall ncclParamGetParameter;
    private final Downcall ncclParamGetAllParameterKeys;
    private final Downcall ncclParamDumpAll;

    public NcclParamApi(NativeLibrary lib) {
        ncclParamBind = lib.downcall("ncclParamBind", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), SINCE);
        for (String name : TYPED_GETTERS) {
            typedGetters.put(name, lib.downcall(name, FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), SINCE));
        }
        ncclParamGetStr = lib.downcall("ncclParamGetStr", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), SINCE);
        ncclParamGet = lib.downcall("ncclParamGet", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER), SINCE);
        ncclParamGetParameter = lib.downcall("ncclParamGetParameter",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER), SINCE);
        ncclParamGetAllParameterKeys = lib.downcall("ncclParamGetAllParameterKeys",
                FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), SINCE);
        ncclParamDumpAll = lib.downcall("ncclParamDumpAll", FunctionDescriptor.ofVoid(), SINCE);
    }

    /** {@code ncclResult_t ncclParamBind(ncclParamHandle_t* out, const char* key);} (2.30.4: {@code ncclParamHandle_t** out}) */
    public int ncclParamBind(MemorySegment out, MemorySegment key) {
        try {
            return (int) ncclParamBind.handle().invokeExact(out, key);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * One of {@link #TYPED_GETTERS}: {@code ncclResult_t ncclParamGetI8(ncclParamHandle_t h, int8_t* out);} and the
     * same for I16, I32, I64, U8, U16, U32, U64 (2.30.4: {@code ncclParamHandle_t* h}).
     */
    public int ncclParamGetTyped(String getter, MemorySegment h, MemorySegment out) {
        Downcall d = typedGetters.get(getter);
        if (d == null) throw new IllegalArgumentException("not a typed parameter getter: " + getter + "; one of " + TYPED_GETTERS);
        try {
            return (int) d.handle().invokeExact(h, out);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclParamGetStr(ncclParamHandle_t h, const char** out);} */
    public int ncclParamGetStr(MemorySegment h, MemorySegment out) {
        try {
            return (int) ncclParamGetStr.handle().invokeExact(h, out);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclParamGet(ncclParamHandle_t h, void* out, int maxLen, int* len);} */
    public int ncclParamGet(MemorySegment h, MemorySegment out, int maxLen, MemorySegment len) {
        try {
            return (int) ncclParamGet.handle().invokeExact(h, out, maxLen, len);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclParamGetParameter(const char* key, const char** value, int* valueLen);} */
    public int ncclParamGetParameter(MemorySegment key, MemorySegment value, MemorySegment valueLen) {
        try {
            return (int) ncclParamGetParameter.handle().invokeExact(key, value, valueLen);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code ncclResult_t ncclParamGetAllParameterKeys(const char*** table, int* tableLen);} */
    public int ncclParamGetAllParameterKeys(MemorySegment table, MemorySegment tableLen) {
        try {
            return (int) ncclParamGetAllParameterKeys.handle().invokeExact(table, tableLen);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code void ncclParamDumpAll(void);} NCCL prints to the process's standard output. */
    public void ncclParamDumpAll() {
        try {
            ncclParamDumpAll.handle().invokeExact();
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
}
