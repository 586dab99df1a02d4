#!/bin/bash
# Start a private single-node Slurm cluster (munge + slurmctld + slurmd) by
# hand, without systemd (docs: /work/shared/specs/hpc-slurm.md). All state,
# the config and the pid files live under $SLURM_TMP; callers export
# SLURM_CONF=$SLURM_TMP/slurm.conf so that sbatch/squeue find this cluster.
# Needs root and: apt-get install --no-install-recommends slurm-wlm munge.
set -euo pipefail
S=${SLURM_TMP:?set SLURM_TMP to a private directory}
PORT=${SLURM_PORT_BASE:-6817}
mkdir -p "$S"/{state,spool,log,run}
chmod 755 "$S"
chown -R slurm:slurm "$S"/state "$S"/log "$S"/run
NCPU=$(nproc)
MEM=$(( $(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo) * 8 / 10 ))
cat > "$S/slurm.conf" <<CONF
ClusterName=esuitetest
SlurmctldHost=localhost
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$S/log/jobcomp.txt
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
chmod 644 "$S/slurm.conf"
export SLURM_CONF="$S/slurm.conf"
# munge: the key comes from Debian's postinst; /run/munge needs creating
# without systemd-tmpfiles. A munged that already works is reused (and left
# running by slurm_down.sh); one started here is recorded as ours.
[ -s /etc/munge/munge.key ] || { mungekey --create 2>/dev/null ||
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null;
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
install -d -o munge -g munge -m 0755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for i in $(seq 1 20); do [ -s /run/munge/munged.pid ] && break; sleep 0.2; done
  cp /run/munge/munged.pid "$S/run/munged.ours.pid"
fi
munge -n | unmunge >/dev/null
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF" -N localhost
st=
for i in $(seq 1 60); do
  st=$(sinfo -h -N -n localhost -o '%T' 2>/dev/null || true)
  [ "$st" = idle ] && { echo "slurm ready (node idle)"; exit 0; }
  sleep 0.5
done
echo "slurm NOT ready: state='$st'"
tail -20 "$S"/log/*.log
exit 1
