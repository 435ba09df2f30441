#!/usr/bin/env bash
# Brings a one-node Slurm up on this host from the kit this script came in (make-kit.sh), with no network, no
# package manager and no munge: slurmctld and slurmd on localhost, authenticated with a key made now (auth/slurm),
# the host's GPUs as gres where /dev/nvidiaN exist. Run as root, from the unpacked kit:
#
#   tar -C /opt/ncclffm-slurm -xJf ncclffm-slurm-kit.tar.xz && /opt/ncclffm-slurm/start.sh
#
# Then /opt/ncclffm-slurm/bin/srun runs steps (its wrapper sets the kit's libraries for the command only), and
# stop: kill "$(cat /opt/ncclffm-slurm/run/slurmd.pid)" "$(cat /opt/ncclffm-slurm/run/slurmctld.pid)".
set -euo pipefail
kit="$(cd "$(dirname "$0")" && pwd)"
etc="$kit/etc"; run="$kit/run"; spool="$kit/spool"
mkdir -p "$etc" "$run" "$spool/ctld" "$spool/d" "$kit/log"
cpus="$(nproc)"
node="$(hostname -s)"
gpus=""
for d in /dev/nvidia[0-9]*; do [[ -e "$d" ]] && gpus="$gpus $d"; done
ngpu="$(wc -w <<<"$gpus")"
[[ -s "$etc/slurm.key" ]] || head -c 1024 /dev/urandom >"$etc/slurm.key"
chmod 0600 "$etc/slurm.key"
cat >"$etc/slurm.conf" <<CONF
ClusterName=ncclffm-gpu
SlurmctldHost=${node}(127.0.0.1)
AuthType=auth/slurm
CredType=cred/slurm
SlurmUser=root
SlurmdUser=root
PluginDir=${kit}/lib/slurm-wlm
StateSaveLocation=${spool}/ctld
SlurmdSpoolDir=${spool}/d
SlurmctldPidFile=${run}/slurmctld.pid
SlurmdPidFile=${run}/slurmd.pid
SlurmctldLogFile=${kit}/log/slurmctld.log
SlurmdLogFile=${kit}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=5
$( [[ "$ngpu" -gt 0 ]] && echo "GresTypes=gpu" )
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} $( [[ "$ngpu" -gt 0 ]] && echo "Gres=gpu:${ngpu}" ) State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
: >"$etc/gres.conf"
for d in $gpus; do echo "Name=gpu File=$d" >>"$etc/gres.conf"; done
# No cgroup plugin at all: tasks are tracked by their parents (above), and a host without systemd's D-Bus (a bare or
# containerized GPU host on cgroup v2) would otherwise stop slurmd at start ("systemd scope for slurmstepd could not
# be set").
echo "CgroupPlugin=disabled" >"$etc/cgroup.conf"
# slurmd starts slurmstepd from the path it was built with.
if [[ ! -x /usr/sbin/slurmstepd ]]; then install -m 0755 "$kit/sbin/slurmstepd" /usr/sbin/slurmstepd; fi
# The client commands find the kit's libraries and configuration through wrappers. Tasks still see the kit's lib/
# in LD_LIBRARY_PATH (slurmstepd passes its own on, whatever srun exports): it holds none of the libraries NCCL, the
# CUDA driver or the JVM load (no libc, libm, libdl, librt or libpthread; the rest is Slurm's, hwloc's, PAM's, ...).
for cmd in srun sinfo squeue scancel scontrol; do
  [[ -e "$kit/bin/$cmd.real" ]] || mv "$kit/bin/$cmd" "$kit/bin/$cmd.real"
  printf '#!/bin/sh\nSLURM_CONF=%s LD_LIBRARY_PATH=%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec %s "$@"\n' \
    "$etc/slurm.conf" "$kit/lib" "$kit/bin/$cmd.real" >"$kit/bin/$cmd"
  chmod 0755 "$kit/bin/$cmd"
done
# The host's own library path stays behind the kit's: the tasks inherit it (the GPU driver's libraries may be there).
export SLURM_CONF="$etc/slurm.conf" LD_LIBRARY_PATH="$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$kit/sbin/slurmctld" -i
"$kit/sbin/slurmd"
for i in $(seq 1 60); do
  for daemon in slurmctld slurmd; do
    pid="$(cat "$run/$daemon.pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      echo "$daemon exited at start; its log ($kit/log/$daemon.log) ends:" >&2
      tail -n 20 "$kit/log/$daemon.log" >&2 || true
      exit 1
    fi
  done
  state="$("$kit/bin/sinfo" --noheader --format=%T 2>/dev/null || true)"
  if [[ "$state" == idle* ]]; then echo "slurm up on $node: $cpus CPUs, $ngpu GPU(s)"; exit 0; fi
  sleep 1
done
echo "slurm did not come up within 60 s; logs in $kit/log" >&2
tail -n 20 "$kit/log/slurmctld.log" "$kit/log/slurmd.log" >&2 || true
exit 1
