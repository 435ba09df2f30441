package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which file the process really runs NCCL from, read from its memory map. */
class LoadedFileTest {

    @TempDir
    Path dir;

    @Test
    void loadedFile_throughASymlink_isTheFileTheLoaderMapped() throws Exception {
        StubLibrary stub = StubLibrary.build(dir, StubLibrary.Variant.NCCL);
        Path link = Files.createSymbolicLink(dir.resolve("libnccl.so.2"), stub.path);
        Nccl nccl = Nccl.load(link);
        LoadedFile file = nccl.loadedFile().orElseThrow();
        assertEquals(stub.path.toRealPath(), file.path(), "the symlink's target, not the path that was opened");
        assertEquals(Files.getAttribute(stub.path, "unix:ino"), file.inode());
        assertFalse(file.deleted());
    }

    @Test
    void aMapLine_holdingTheAddress_namesItsFileDeviceAndInode() {
        String line = "7f3a1c000000-7f3a1c200000 r-xp 00010000 fd:01 1234567                    /usr/lib/x86_64-linux-gnu/libnccl.so.2.28.3";
        Optional<LoadedFile> f = LoadedFile.parse(line, 0x7f3a1c000010L);
        assertEquals(new LoadedFile(Path.of("/usr/lib/x86_64-linux-gnu/libnccl.so.2.28.3"), "fd:01", 1234567, false), f.orElseThrow());
        assertTrue(LoadedFile.parse(line, 0x7f3a1c200000L).isEmpty(), "the end of a mapping is outside it");
        assertTrue(LoadedFile.parse(line, 0x7f3a1bffffffL).isEmpty());
    }

    @Test
    void aMapLine_ofAReplacedFile_saysItWasDeleted() {
        String line = "7f3a1c000000-7f3a1c200000 r-xp 00000000 08:02 42 /opt/libs/libnccl.so.2 (deleted)";
        LoadedFile f = LoadedFile.parse(line, 0x7f3a1c000000L).orElseThrow();
        assertEquals(Path.of("/opt/libs/libnccl.so.2"), f.path());
        assertTrue(f.deleted());
    }

    @Test
    void anonymousAndSpecialMappings_nameNoFile() {
        assertTrue(LoadedFile.parse("7ffd5a000000-7ffd5a021000 rw-p 00000000 00:00 0                          [stack]", 0x7ffd5a000001L).isEmpty());
        assertTrue(LoadedFile.parse("7ffd5a000000-7ffd5a021000 rw-p 00000000 00:00 0", 0x7ffd5a000001L).isEmpty());
    }
}
