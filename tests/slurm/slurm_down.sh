#!/bin/bash
# Stop the daemons slurm_up.sh started, by PID (from their pid files under
# $SLURM_TMP), cancel this cluster's jobs, and remove $SLURM_TMP. A munged
# that was running before slurm_up.sh is left alone.
S=${SLURM_TMP:?set SLURM_TMP to the directory given to slurm_up.sh}
export SLURM_CONF="$S/slurm.conf"
stop() {
  local f=$1 p
  [ -s "$f" ] || return 0
  p=$(cat "$f")
  kill -0 "$p" 2>/dev/null || return 0
  kill "$p"
  for i in $(seq 1 20); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.5; done
  echo "pid $p ($f) ignored SIGTERM, sending SIGKILL"
  kill -9 "$p"
}
if [ -s "$S/run/slurmctld.pid" ] && kill -0 "$(cat "$S/run/slurmctld.pid")" 2>/dev/null; then
  timeout 10 scancel --user="$(id -un)" 2>/dev/null || true
fi
stop "$S/run/slurmd.pid"
stop "$S/run/slurmctld.pid"
stop "$S/run/munged.ours.pid"
case "$S" in /tmp/*) rm -rf "$S" ;; *) echo "not removing $S (outside /tmp)" ;; esac
