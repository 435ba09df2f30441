#!/usr/bin/env bash
# Checks .gitlab-ci.yml with a real GitLab CI implementation, gitlab-ci-local, next to GitLabCiTest's own reading:
#   1. GitLab's JSON schema accepts the file, and gitlab-ci-local expands it to exactly the jobs the file defines;
#   2. the build job runs as a job, in a container of its image, through gitlab-ci-local's docker executor.
# Called by .ci/run once Docker is up and ncclffm/base:trixie exists. With no registry here, the two images the
# run needs are made locally from images/temurin-local and images/gitlab-ci-local-util.
# Like GitLab, the job sees the project as git has it: tracked files (with their uncommitted changes), not new ones.
# The job reads the host's Maven repository and runs Maven offline (its before_script still needs apt); with an
# empty repository (a first run on a cold machine) Maven runs online and fills it.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[gitlab-ci-local] %s\n' "$*"; }
fail() { printf '[gitlab-ci-local] FAILED: %s\n' "$*" >&2; exit 1; }

# gitlab-ci-local and every package it brings are pinned by .ci/gitlab-ci-local/package-lock.json (versions and
# integrity hashes), and installed from it with npm ci; an install is redone only when the lockfile changed.
lockdir=.ci/gitlab-ci-local
version="$(node -p 'require("./'"$lockdir"'/package.json").dependencies["gitlab-ci-local"]')"
prefix=.ci/.gcl
gcl="$lockdir/node_modules/.bin/gitlab-ci-local"
state="$prefix/state"
installed="$lockdir/node_modules/.ncclffm-lock.sha256"
started=$SECONDS
mkdir -p "$prefix"

# --- install -------------------------------------------------------------------------------------------------
install_gcl() {
  local lock_sum
  lock_sum="$(sha256sum "$lockdir/package-lock.json" | cut -d' ' -f1)"
  if [[ "$(cat "$installed" 2>/dev/null)" != "$lock_sum" || "$("$gcl" --version 2>/dev/null)" != "$version" ]]; then
    command -v npm >/dev/null || fail "npm is missing (apt-get install nodejs npm)"
    log "installing gitlab-ci-local $version from $lockdir/package-lock.json (its re2 dependency compiles: about 2 minutes)"
    npm ci --prefix "$lockdir" --no-audit --no-fund --loglevel=error >/dev/null
    [[ "$("$gcl" --version)" == "$version" ]] || fail "gitlab-ci-local $version did not install into $lockdir"
    echo "$lock_sum" >"$installed"
  fi
}
install_gcl
# `gitlab-ci-local.sh install` stops here: .ci/run installs while it waits on the network for the base image.
[[ "${1:-}" == install ]] && { log "gitlab-ci-local $version installed in $((SECONDS - started))s"; exit 0; }
command -v rsync >/dev/null || fail "rsync is missing: gitlab-ci-local copies the project with it (apt-get install rsync)"
gcl() { "$gcl" --state-dir "$state" --json-schema-validation "$@"; }

# --- the pipeline: schema and jobs ---------------------------------------------------------------------------
# --list-json also lists jobs whose rules never match on this branch (pages runs on the default branch only).
listing="$(gcl --list-json 2>"$state.list.log")" || { cat "$state.list.log" >&2; fail "gitlab-ci-local rejects .gitlab-ci.yml"; }
grep -q 'json schema validated' "$state.list.log" || { cat "$state.list.log" >&2; fail "the JSON schema check did not run"; }

# What the file defines, read independently of gitlab-ci-local (with the js-yaml it brings): every top-level key
# that is neither a global keyword nor hidden (.name) is a job, and parallel: matrix fans a job out into one job
# per combination, named as GitLab names them, "job: [a, b]"; parallel: N into N jobs, which gitlab-ci-local 4.56
# names "job: [i/N]" (GitLab itself: "job i/N").
diff_out="$(LISTING="$listing" PREFIX="$PWD/$lockdir" node -e '
  const yaml = require(process.env.PREFIX + "/node_modules/js-yaml");
  const ci = yaml.load(require("fs").readFileSync(".gitlab-ci.yml", "utf8"));
  const globals = new Set(["stages", "variables", "default", "workflow", "include", "image", "services", "cache",
                           "before_script", "after_script", "spec"]);
  const product = (axes) => axes.reduce((acc, vs) => acc.flatMap(a => vs.map(v => [...a, v])), [[]]);
  const expected = [];
  for (const [name, job] of Object.entries(ci)) {
    if (globals.has(name) || name.startsWith(".")) continue;
    const parallel = job && job.parallel;
    if (parallel && parallel.matrix) {
      for (const entry of parallel.matrix) {
        const axes = Object.values(entry).map(v => Array.isArray(v) ? v.map(String) : [String(v)]);
        for (const combo of product(axes)) expected.push(`${name}: [${combo.join(", ")}]`);
      }
    } else if (typeof parallel === "number") {
      for (let i = 1; i <= parallel; i++) expected.push(`${name}: [${i}/${parallel}]`);
    } else {
      expected.push(name);
    }
  }
  const listed = JSON.parse(process.env.LISTING).map(j => j.name);
  const missing = expected.filter(n => !listed.includes(n)), extra = listed.filter(n => !expected.includes(n));
  if (missing.length || extra.length) {
    console.log(`defined but not listed: [${missing.join("; ")}], listed but not defined: [${extra.join("; ")}]`);
    process.exit(1);
  }
  console.log(`${listed.length} jobs: ${listed.join("; ")}`);
')" || fail ".gitlab-ci.yml and gitlab-ci-local disagree on the jobs: $diff_out"
log "schema valid, $diff_out"
validation="schema valid, ${diff_out%%:*} as the file defines them"

# --- local stand-ins for the images the run needs ---------------------------------------------------------------
base=ncclffm/base:trixie
base_id="$(docker image inspect -f '{{.Id}}' "$base")" || fail "$base is missing (images/base/make-offline-base.sh)"

# Rebuilt only when the recipe, the base image or the extra input (the JDK) changed: a label carries their hash.
stand_in() { # TAG FOLDER EXTRA-HASH-INPUT CONTEXT-TAR-COMMAND...
  local tag="$1" dir="$2" extra="$3"; shift 3
  local hash have
  hash="$({ cat "$dir/Dockerfile"; echo "$base_id"; echo "$extra"; } | sha256sum | cut -c1-16)"
  have="$(docker image inspect -f '{{index .Config.Labels "ncclffm.recipe"}}' "$tag" 2>/dev/null || true)"
  if [[ "$have" == "$hash" ]]; then log "$tag is current ($dir)"; return; fi
  log "building $tag from $dir"
  local previous
  previous="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
  "$@" | docker build -q --force-rm --build-arg "BASE=$base" --label "ncclffm.recipe=$hash" -t "$tag" - >"$state.image.log" 2>&1 \
    || { cat "$state.image.log" >&2; fail "could not build $tag from $dir"; }
  # The image the tag named before is left untagged: remove it (kept if something else still uses it).
  [[ -n "$previous" ]] && docker rmi "$previous" >/dev/null 2>&1 || true
}

# The stand-in only works under the name the pipeline's jobs use.
job_image="$(PREFIX="$PWD/$lockdir" node -e '
  const ci = require(process.env.PREFIX + "/node_modules/js-yaml").load(require("fs").readFileSync(".gitlab-ci.yml", "utf8"));
  const image = (ci.build && ci.build.image) || (ci.default && ci.default.image) || ci.image || "";
  console.log(typeof image === "string" ? image : image.name);
')"
[[ "$job_image" == eclipse-temurin:25-jdk ]] \
  || fail "the build job's image is '$job_image', but images/temurin-local stands in for eclipse-temurin:25-jdk"
jdk="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ -f "$jdk/release" ]] && grep -q '^JAVA_VERSION="25' "$jdk/release" || fail "no JDK 25 at $jdk (set JAVA_HOME)"
# The context: the recipe, and the JDK as jdk/ with its symlinks resolved (cacerts points into the host's /etc).
stand_in eclipse-temurin:25-jdk images/temurin-local "$(cat "$jdk/release")" \
  tar -c -h -C images/temurin-local Dockerfile -C "$jdk" --transform='s,^\.,jdk,' .
stand_in firecow/gitlab-ci-local-util:latest images/gitlab-ci-local-util "" \
  tar -c -C images/gitlab-ci-local-util Dockerfile

# --- the build job, in its container -------------------------------------------------------------------------
m2="${MAVEN_USER_HOME:-$HOME/.m2}"
mkdir -p "$m2/repository"
# The pipeline keeps its repository in the project ($CI_PROJECT_DIR/.m2/repository, CI_PROJECT_DIR is /gcl-builds
# here), so the host's repository is mounted there and the pipeline's MAVEN_OPTS stay as they are. The wrapper's
# Maven comes from the host too.
run_opts=(--volume "$m2/repository:/gcl-builds/.m2/repository")
[[ -d "$m2/wrapper" ]] && run_opts+=(--volume "$m2/wrapper:/root/.m2/wrapper:ro")
if [[ -n "$(ls -A "$m2/repository")" ]]; then
  run_opts+=(--variable "MAVEN_CLI_OPTS=-B -ntp -o")
  mode=offline
else
  mode="online (empty $m2/repository)"
fi
log "running the build job in eclipse-temurin:25-jdk, $mode"
job_started=$SECONDS
job_rc=0
volumes_before="$(docker volume ls -q)"
gcl build --pull-policy if-not-present --cleanup --no-color "${run_opts[@]}" >"$state.build.log" 2>&1 || job_rc=$?
# gitlab-ci-local 4.56 exits without waiting for its own cleanup: the job's container may still be being removed
# and its volumes left behind. Wait for the container to go, then remove the volumes this run made.
for volume in $(comm -13 <(sort <<<"$volumes_before") <(docker volume ls -q | sort) | grep -E '^gcl-build-[0-9]+-(build|tmp)$'); do
  for _ in $(seq 1 60); do [[ -z "$(docker ps -aq --filter "volume=$volume")" ]] && break; sleep 1; done
  docker volume rm "$volume" >/dev/null || log "could not remove docker volume $volume"
done
job_s=$((SECONDS - job_started))
# Maven's per-module totals (the per-class lines end "-- in <class>").
tests="$(awk -F'Tests run: ' '/\[(INFO|WARNING|ERROR)\] Tests run: [0-9]+, Failures/ && !/ in / {split($2, f, ","); n += f[1]}
                               END {print n + 0}' "$state.build.log")"
if ((job_rc != 0)) || ! grep -q 'BUILD SUCCESS' "$state.build.log"; then
  tail -40 "$state.build.log" >&2
  fail "build job failed after ${job_s}s (exit $job_rc; log: $state.build.log); $validation"
fi
log "OK in $((SECONDS - started))s: $validation; build job passed in ${job_s}s ($tests tests, $mode)"
