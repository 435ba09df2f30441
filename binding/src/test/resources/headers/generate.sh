#!/usr/bin/env bash
# Remakes the vendored headers of this folder, which LayoutConformanceTest compiles one by one:
#
#   nccl/vX.Y.Z-R/nccl.h   every NVIDIA/nccl release tag from v2.4.2-1 to v2.30.7-1: src/nccl.h.in with the
#                          version substituted as that tag's src/Makefile does (its sed, its printf format for
#                          NCCL_VERSION_CODE, which changed from %d%d%02d to %d%02d%02d at 2.9), the numbers taken
#                          from that tag's makefiles/version.mk
#   rccl/X.Y.Z/rccl.h      RCCL of the ROCm releases the matrices name: from a ROCm/rccl tag, src/nccl.h.in with
#                          the version substituted as its CMakeLists.txt does (configure_file); or from Debian's
#                          librccl-dev package, as shipped
#   SOURCES.tsv            where each file came from: the tag and its commit, or the package and its SHA-256
#
# usage: generate.sh NCCL_GIT RCCL_GIT DEB_DIR
#   NCCL_GIT  a clone of https://github.com/NVIDIA/nccl with its tags (a bare one will do)
#   RCCL_GIT  a clone of https://github.com/ROCm/rccl with its tags
#   DEB_DIR   Debian's librccl-dev packages, fetched in a Debian container whose apt sources have trixie and
#             experimental (main):  apt-get download librccl-dev=5.4.3-3+b1 librccl-dev=7.2.4-1~exp3
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 NCCL_GIT RCCL_GIT DEB_DIR" >&2; exit 2; }
nccl_git=$1 rccl_git=$2 deb_dir=$3
newest_minor=30 newest_patch=7   # the newest NVIDIA release vendored; raise it for a new tag
here="$(cd "$(dirname "$0")" && pwd)"
sources="$here/SOURCES.tsv"
printf 'kind\trelease\tfrom\tid\tfile\n' >"$sources"

# NVIDIA/nccl: the value of a version.mk variable at a tag.
mk() { git -C "$nccl_git" show "$1:makefiles/version.mk" | sed -n -E "s/^$2[[:space:]]*:=[[:space:]]*(.*)$/\1/p" | tr -d '[:space:]'; }

rm -rf "$here/nccl" "$here/rccl"
for tag in $(git -C "$nccl_git" tag --list 'v2.*' | sort -V); do
  [[ $tag =~ ^v2\.([0-9]+)\.([0-9]+)-[0-9]+$ ]] || continue
  minor=${BASH_REMATCH[1]} patch=${BASH_REMATCH[2]}
  (( minor >= 4 )) || continue
  (( minor < newest_minor || (minor == newest_minor && patch <= newest_patch) )) || continue
  major=$(mk "$tag" NCCL_MAJOR) minor=$(mk "$tag" NCCL_MINOR) patch=$(mk "$tag" NCCL_PATCH) suffix=$(mk "$tag" NCCL_SUFFIX)
  # The printf of the nccl.h rule, e.g. printf "%d%02d%02d" $(NCCL_MAJOR) $(NCCL_MINOR) $(NCCL_PATCH)
  format=$(git -C "$nccl_git" show "$tag:src/Makefile" | sed -n -E 's/.*NCCL_VERSION := \$\(shell printf "([^"]+)".*/\1/p')
  [[ -n $format ]] || { echo "$tag: no NCCL_VERSION printf in src/Makefile" >&2; exit 1; }
  # shellcheck disable=SC2059  # the format is the Makefile's own
  code=$(printf "$format" "$major" "$minor" "$patch")
  mkdir -p "$here/nccl/$tag"
  git -C "$nccl_git" show "$tag:src/nccl.h.in" | sed -e "s/\${nccl:Major}/$major/g" -e "s/\${nccl:Minor}/$minor/g" \
      -e "s/\${nccl:Patch}/$patch/g" -e "s/\${nccl:Suffix}/$suffix/g" -e "s/\${nccl:Version}/$code/g" \
      >"$here/nccl/$tag/nccl.h"
  printf 'nccl\t%s.%s.%s\t%s\t%s\tnccl/%s/nccl.h\n' "$major" "$minor" "$patch" "$tag" \
      "$(git -C "$nccl_git" rev-parse "$tag^{commit}")" "$tag" >>"$sources"
done

# ROCm/rccl at a tag: CMakeLists.txt reads makefiles/version.mk and configures src/nccl.h.in into rccl/rccl.h,
# with NCCL_VERSION = MAJOR MINOR PATCH, the patch padded to two digits.
rccl_from_tag() {
  local rocm=$1 tag=$2 major minor patch code
  major=$(git -C "$rccl_git" show "$tag:makefiles/version.mk" | sed -n -E 's/^NCCL_MAJOR *:= *([0-9]*).*/\1/p')
  minor=$(git -C "$rccl_git" show "$tag:makefiles/version.mk" | sed -n -E 's/^NCCL_MINOR *:= *([0-9]*).*/\1/p')
  patch=$(git -C "$rccl_git" show "$tag:makefiles/version.mk" | sed -n -E 's/^NCCL_PATCH *:= *([0-9]*).*/\1/p')
  code="$major$minor$(printf '%02d' "$patch")"
  mkdir -p "$here/rccl/$rocm"
  git -C "$rccl_git" show "$tag:src/nccl.h.in" | sed -e "s/\${NCCL_MAJOR}/$major/g" -e "s/\${NCCL_MINOR}/$minor/g" \
      -e "s/\${NCCL_PATCH}/$patch/g" -e "s/\${NCCL_SUFFIX}//g" -e "s/\${NCCL_VERSION}/$code/g" >"$here/rccl/$rocm/rccl.h"
  if grep -n '\${\|@[A-Z_]*@' "$here/rccl/$rocm/rccl.h"; then echo "$tag: unsubstituted variables" >&2; exit 1; fi
  printf 'rccl\t%s.%s.%s\t%s\t%s\trccl/%s/rccl.h\n' "$major" "$minor" "$patch" "$tag" \
      "$(git -C "$rccl_git" rev-parse "$tag^{commit}")" "$rocm" >>"$sources"
}

# Debian's librccl-dev: the header as packaged.
rccl_from_deb() {
  local rocm=$1 deb=$2 tmp api
  tmp=$(mktemp -d)
  dpkg-deb -x "$deb" "$tmp"
  mkdir -p "$here/rccl/$rocm"
  cp "$tmp/usr/include/rccl/rccl.h" "$here/rccl/$rocm/rccl.h"
  rm -rf "$tmp"
  api=$(sed -n -E 's/^#define NCCL_(MAJOR|MINOR|PATCH) ([0-9]+).*/\2/p' "$here/rccl/$rocm/rccl.h" | paste -sd.)
  printf 'rccl\t%s\t%s\tsha256:%s\trccl/%s/rccl.h\n' "$api" "$(basename "$deb")" \
      "$(sha256sum "$deb" | cut -d' ' -f1)" "$rocm" >>"$sources"
}

rccl_from_deb 5.4.3 "$deb_dir/librccl-dev_5.4.3-3+b1_amd64.deb"
rccl_from_tag 6.2.0 rocm-6.2.0
rccl_from_deb 7.2.4 "$deb_dir/librccl-dev_7.2.4-1~exp3_amd64.deb"
echo "wrote $(($(wc -l <"$sources") - 1)) headers, $(du -sh --exclude=generate.sh "$here" | cut -f1)"
