/**
 * The FFM binding for NCCL and RCCL. Only {@code io.ncclffm} is API; {@code io.ncclffm.internal} holds the raw
 * downcalls and may change in any release.
 *
 * <p>The binding makes downcalls, so the JVM must be started with {@code --enable-native-access=io.ncclffm}
 * (module path) or {@code --enable-native-access=ALL-UNNAMED} (class path).
 */
module io.ncclffm {
    exports io.ncclffm;
}
