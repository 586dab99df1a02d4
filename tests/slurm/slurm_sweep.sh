#!/bin/bash
# Integration test: a real 2x2 sweep through a private single-node Slurm.
#
# Installs slurm-wlm + munge with apt-get if missing, starts the cluster
# (slurm_up.sh, all state in a temp dir), submits `esuite sweep --scheduler
# slurm --submit` over a simulator in this build (school, else gas, else
# orbits), waits with timeouts, checks `esuite sweep --status`, collects, and
# compares every number of the CSV and the NetCDF table with the task's own
# summary.json; then resubmits (nothing to do) and tears down by PID.
# Exit 77 (ctest SKIP) only where Slurm cannot be installed or no model exists.
set -u
: "${ESUITE:?ESUITE must point at the esuite binary}"
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${ES_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
ESUITE=$(readlink -f "$ESUITE")
t0=$(date +%s.%N)
skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*"; exit 1; }
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- the model and a small base config -----------------------------------
models=$("$ESUITE" info | sed -n 's/^models: //p')
model=
for m in school gas orbits; do
  if echo " $models " | grep -q " $m " && ! echo "$models" | grep -q "$m (not built)"; then model=$m; break; fi
done
[ -n "$model" ] || skip "no simulator (school, gas, orbits) is built into $ESUITE, so there is nothing to sweep"
base=${ES_SLURM_BASE:-}
if [ -z "$base" ]; then
  for f in "$SRC/configs/sweeps/slurm_base_$model.ini" "$SRC/configs/${model}_logistic.ini" \
           "$SRC/configs/${model}_small.ini" $(ls "$SRC"/configs/"$model"*.ini 2>/dev/null); do
    [ -f "$f" ] && { base=$f; break; }
  done
fi
[ -n "$base" ] || die "model $model is built but there is no base config (configs/${model}*.ini or ES_SLURM_BASE)"

# --- Slurm ----------------------------------------------------------------
if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || skip "slurm-wlm/munge are not installed and installing them needs root"
  command -v apt-get >/dev/null || skip "slurm-wlm/munge are not installed and there is no apt-get"
  echo "installing slurm-wlm munge (apt-get)"
  timeout 300 apt-get update -qq >/tmp/esuite-slurm-apt.log 2>&1
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge \
    >>/tmp/esuite-slurm-apt.log 2>&1 ||
    skip "apt-get install slurm-wlm munge failed (no mirror reachable?): $(tail -3 /tmp/esuite-slurm-apt.log | tr '\n' ' ')"
fi
[ "$(id -u)" = 0 ] || skip "starting slurmctld/slurmd by hand needs root"
S=$(mktemp -d /tmp/esuite-slurm-XXXXXX)
W=$(mktemp -d /tmp/esuite-slurm-work-XXXXXX)
export SLURM_TMP=$S SLURM_CONF=$S/slurm.conf
cleanup() { bash "$HERE/slurm_down.sh" >/dev/null 2>&1; rm -rf "$W"; }
trap cleanup EXIT
timeout 60 bash "$HERE/slurm_up.sh" || die "slurm_up.sh could not start the cluster"
echo "slurm up after $(elapsed) s"

# --- the sweep ------------------------------------------------------------
cd "$W"
cp "$base" base.ini
cat > sweep.ini <<EOF
[sweep]
base = base.ini
name = slurmtest
vary run.seed = 11, 12
vary output.compression = 1, 4
[slurm]
time = 00:10:00
cpus_per_task = 1
max_concurrent = 2
extra = --hold
EOF
"$ESUITE" sweep sweep.ini --plan || die "sweep --plan failed"
jid=$("$ESUITE" sweep sweep.ini --scheduler slurm --dir "$W/sw" --submit) || die "sweep --submit failed"
echo "submitted array job $jid"
grep -q "\"job_id\": \"$jid\"" sw/manifest.json || die "job id $jid not recorded in manifest.json"
# The job is held (extra = --hold): a second submission must be refused.
out=$("$ESUITE" sweep sw --scheduler slurm --submit 2>&1) && die "a second submission of a queued sweep was accepted: $out"
echo "$out" | grep -q "job $jid of this sweep is still queued or running" || die "unexpected refusal: $out"
grep -qx '#SBATCH --hold' sw/job.sbatch || die "extra line missing from job.sbatch"
scontrol release "$jid" || die "scontrol release $jid failed"
for i in $(seq 1 600); do
  [ -z "$(squeue -h -j "$jid" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$jid" 2>/dev/null)" ] || { squeue; die "job $jid still queued after 300 s"; }
echo "array job done after $(elapsed) s"
"$ESUITE" sweep sw --status || { cat sw/logs/*.err 2>/dev/null | tail -20; die "not every task is complete"; }
for i in 0 1 2 3; do
  [ -s "sw/logs/slurm-${jid}_$i.out" ] || [ -f "sw/logs/slurm-${jid}_$i.err" ] || die "no Slurm log for task $i"
done

# --- collect and compare with each summary.json ----------------------------
"$ESUITE" collect sw --output table.nc --csv table.csv --strict || die "collect --strict failed"
# the provenance comes first, as '#' lines: skip them
ncols=$(awk '!/^#/ { print; exit }' table.csv | awk -F, '{print NF}')
checked=0
for i in 0 1 2 3; do
  row=$(awk -F, -v t=$i '!/^#/ && $1 == t' table.csv)
  [ -n "$row" ] || die "no CSV row for task $i"
  seed=$(echo "$row" | cut -d, -f3)
  want_seed=$(( 11 + i / 2 ))
  [ "$seed" = "$want_seed" ] || die "task $i: seed $seed, wanted $want_seed"
  for c in $(seq 8 "$ncols"); do
    name=$(awk '!/^#/ { print; exit }' table.csv | cut -d, -f$c)
    case "$name" in *.*) continue ;; esac          # top-level fields only
    got=$(echo "$row" | cut -d, -f$c)
    want=$(grep -o "\"$name\": *[-0-9.eE+]*" "sw/tasks/000$i/out/summary.json" | head -1 | sed 's/.*: *//')
    [ -n "$want" ] || continue
    awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d; s = w < 0 ? -w : w;
      exit !(g != "" && d <= 1e-15 * s) }' || die "task $i field $name: table $got, summary.json $want"
    checked=$((checked + 1))
  done
done
[ "$checked" -ge 4 ] || die "only $checked numbers compared (expected at least one field per task)"
if command -v ncdump >/dev/null; then
  first=$(awk '!/^#/ { print; exit }' table.csv | cut -d, -f8)
  case "$first" in
    *.*) ;;
    *) ncvar=$(echo "$first" | sed 's/[^A-Za-z0-9_-]/_/g')
       ncvals=$(ncdump -v "$ncvar" table.nc | sed -n "/^ $ncvar =/,/;/p" | sed "s/^ $ncvar =//" | tr -d ' ;\n' | tr ',' ' ')
       set -- $ncvals
       for i in 0 1 2 3; do
         k=$((i + 1)); csvv=$(awk -F, -v t=$i '!/^#/ && $1 == t {print $8}' table.csv)
         awk -v g="${!k}" -v w="$csvv" 'BEGIN { d = g - w; if (d < 0) d = -d; s = w < 0 ? -w : w;
           exit !(d <= 1e-12 * s + 1e-300) }' || die "NetCDF $ncvar[$i] = ${!k}, CSV $csvv"
       done ;;
  esac
fi

# --- idempotent resubmission: nothing left to run ---------------------------
out=$("$ESUITE" sweep sweep.ini --scheduler slurm --dir "$W/sw" --submit 2>&1) || die "resubmit failed: $out"
echo "$out" | grep -q "all 4 tasks of 'slurmtest' are complete" || die "resubmit did not skip: $out"
# --- more tasks than MaxArraySize: max_array_size = 2 for 3 tasks -----------
# The first job takes tasks 0-1; the second maps array element 0 onto task 2.
wait_job() {
  for i in $(seq 1 600); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 0.5; done
  squeue; die "job $1 still queued after 300 s"
}
sed -e 's/^name = slurmtest/name = slurmbig/' -e 's/^vary output.compression = 1, 4/vary output.compression = 1, 4, 6/' \
    -e '/^vary run.seed/d' -e 's/^max_concurrent = 2/max_concurrent = 2\nmax_array_size = 2/' -e '/^extra = --hold/d' \
    sweep.ini > big.ini
j1=$("$ESUITE" sweep big.ini --scheduler slurm --dir "$W/big" --submit 2>/dev/null) || die "big sweep: first --submit failed"
grep -qx '#SBATCH --array=0-1%2' big/job.sbatch || die "big sweep: first array: $(grep array big/job.sbatch)"
wait_job "$j1"
j2=$("$ESUITE" sweep big --scheduler slurm --submit 2>/dev/null) || die "big sweep: second --submit failed"
grep -qx 'TASKS=(2)' big/job.sbatch || die "big sweep: second job does not map element 0 to task 2"
wait_job "$j2"
"$ESUITE" sweep big --status >/dev/null || { "$ESUITE" sweep big --status; die "big sweep: not every task is complete"; }
[ -f "big/logs/slurm-${j2}_0.err" ] || die "big sweep: no log slurm-${j2}_0.err for task 2"
echo "big sweep (3 tasks, max_array_size = 2) done in two jobs after $(elapsed) s"

# --- a requeued job appends to its logs (same job ID, same file names) -------
# The first attempt is held in a wrapper until requeued (scontrol requeue kills
# it); the second runs the task. Both attempts' lines must be in the one log.
cat > slow.sh <<EOF
#!/bin/bash
if [ "\$1" = run ] && [ "\${2:-}" != --help ] && [ ! -e "$W/rq_first" ]; then
  touch "$W/rq_first"; sleep 120
fi
exec "$ESUITE" "\$@"
EOF
chmod +x slow.sh
printf '[sweep]\nbase = base.ini\nname = slurmrq\nreplicas = 2\n[slurm]\ntime = 00:10:00\nmax_concurrent = 1\n' > rq.ini
j3=$(ESUITE="$W/slow.sh" "$ESUITE" sweep rq.ini --scheduler slurm --dir "$W/rq" --submit 2>rq_submit.err) ||
  die "requeue sweep: --submit failed: $(cat rq_submit.err)"
for i in $(seq 1 240); do [ -e rq_first ] && break; sleep 0.5; done
[ -e rq_first ] || { squeue; die "requeue sweep: job $j3 did not start within 120 s"; }
scontrol requeue "${j3}_0" || die "scontrol requeue ${j3}_0 failed"
# slurmctld holds a requeued job back for about two minutes (its BeginTime): start it now
for i in $(seq 1 60); do
  squeue -h -j "${j3}_0" -o %T 2>/dev/null | grep -q PENDING && break; sleep 0.5
done
scontrol update JobId="${j3}_0" StartTime=now >/dev/null 2>&1
wait_job "$j3"
"$ESUITE" sweep rq --status >/dev/null ||
  { "$ESUITE" sweep rq --status; tail -20 rq/logs/*; die "requeue sweep: task not complete after the requeue"; }
log=rq/logs/slurm-${j3}_0.err
[ "$(grep -c '^esuite sweep task 0 ' "$log")" = 2 ] ||
  { cat "$log"; die "requeue: $log does not hold both attempts (truncated on requeue?)"; }
grep -qE '^--- esuite sweep: job [0-9]+ requeued \(restart 1\) at .*; the earlier attempts. output is above ---$' "$log" ||
  { cat "$log"; die "requeue: no requeue header in $log"; }
[ "$(grep -n 'requeued (restart 1)' "$log" | cut -d: -f1)" -gt "$(grep -n '^esuite sweep task 0 ' "$log" | head -1 | cut -d: -f1)" ] ||
  { cat "$log"; die "requeue: the header is not below the first attempt's lines"; }
echo "requeued job $j3: both attempts in $log after $(elapsed) s"

echo "PASS: 2x2 $model sweep through Slurm, $checked numbers checked, $(elapsed) s in all"
