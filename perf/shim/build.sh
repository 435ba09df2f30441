#!/bin/sh
# Builds libncclffm_slow_shim.so: ncclAllReduce with NCCLFFM_SHIM_DELAY_US (30) µs of busy-wait in front of the real
# one, every other symbol NCCL's own through DT_NEEDED on libnccl.so.2.
#   perf/shim/build.sh [NCCL_LIB_DIR] [OUT]
# NCCL_LIB_DIR (default /usr/lib/x86_64-linux-gnu) must hold libnccl.so.2; it is also the shim's RUNPATH, so the
# shim finds that NCCL without LD_LIBRARY_PATH (which, when set, is searched first). OUT defaults to this folder.
set -e
here=$(cd "$(dirname "$0")" && pwd)
lib=${1:-/usr/lib/x86_64-linux-gnu}
out=${2:-$here/libncclffm_slow_shim.so}
if [ ! -e "$lib/libnccl.so.2" ]; then
    echo "build.sh: $lib/libnccl.so.2 does not exist; give the folder that holds the NCCL to slow down" >&2
    exit 2
fi
mkdir -p "$(dirname "$out")"
# -l:libnccl.so.2 records DT_NEEDED libnccl.so.2 (the soname); --no-as-needed keeps it although the shim calls
# nothing of it directly (it reaches ncclAllReduce through dlsym).
${CC:-gcc} -O2 -shared -fPIC -Wl,-z,noexecstack -o "$out" "$here/ncclffm_slow_shim.c" \
    -Wl,--no-as-needed -L"$lib" -l:libnccl.so.2 -Wl,-rpath,"$lib" -ldl
echo "$out"
