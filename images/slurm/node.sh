#!/bin/sh
# ncclffm-slurm-node ROLE: ROLE is "ctl" (slurmctld, also the login node srun runs on) or a compute node's name.
#   SLURM_CLUSTER_NODES  the compute nodes' names, separated by commas (they must resolve on the cluster network)
#   SLURM_CTL_HOST       the controller's host name
#   SLURM_NODE_CPUS      CPUs each compute node offers (default 2)
# The munge key must be at /etc/munge/munge.key (the same on every node) before the container starts.
set -eu
role="${1:?usage: ncclffm-slurm-node ctl|NODE}"
nodes="${SLURM_CLUSTER_NODES:?SLURM_CLUSTER_NODES is required, e.g. c1,c2}"
ctl="${SLURM_CTL_HOST:?SLURM_CTL_HOST is required}"
cpus="${SLURM_NODE_CPUS:-2}"
test -s /etc/munge/munge.key || { echo "no munge key at /etc/munge/munge.key" >&2; exit 2; }
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
# In containers, processes are tracked by their parents (no cgroup plugin), tasks are not bound, nothing is
# accounted; the nodes oversubscribe so that several cell runs may share them.
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=ncclffm
SlurmctldHost=${ctl}
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=5
NodeName=${nodes} CPUs=${cpus} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
su -s /bin/sh munge -c /usr/sbin/munged
if [ "$role" = ctl ]; then
  exec /usr/sbin/slurmctld -D -i
fi
exec /usr/sbin/slurmd -D -N "$role"
