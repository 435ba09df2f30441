/*
 * A library planted where JCuda looks for its own native library (java.io.tmpdir/libJCudaDriver-<version>-linux-x86_64.so):
 * it says so on standard error the moment it is loaded, before JCuda can find that it exports nothing JCuda needs.
 */
#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void planted(void) {
    fprintf(stderr, "PLANTED CODE RAN in pid %d (uid %d)\n", (int) getpid(), (int) getuid());
    fflush(stderr);
}
