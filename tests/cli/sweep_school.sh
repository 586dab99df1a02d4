# Sweeps over the school model: checks at plan time that need the model, and
# job scripts. vary run.model with another model used to pass --plan (every
# task was checked against the base's model) and fail when run; a short
# [slurm] time got --signal=B:USR1@120, which Slurm sends at once when the
# limit is shorter, so every task stopped right after it started.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
if ! "$ESUITE" info | grep '^models:' | grep -qw school || "$ESUITE" info | grep -q 'school (not'; then
  echo "school model not built: skipped"; exit 77
fi
printf '[run]\nmodel = school\nseed = 3\n[school]\nn_fish = 10\nbox_size = 10\nn_steps = 10\nsave_interval = 5\nmetrics_every = 5\n' > base.ini

printf '[sweep]\nbase = base.ini\nname = m\nvary school.noise = 0.1\nvary run.model = school, gas\n' > model.ini
expect_fail vary-model "model.ini:5: vary run.model: 'gas' is not the base config's model 'school'" \
  "$ESUITE" sweep model.ini --plan
printf '[sweep]\nbase = base.ini\nname = m\nvary run.model = school\nvary school.noise = 0.1, 0.2\n' > same.ini
"$ESUITE" sweep same.ini --plan > same.txt 2>&1
expect_true vary-model-same grep -q "sweep 'm': 2 tasks" same.txt

# replicas that would be the same run (same values and seed) are refused at the line
printf '[sweep]\nbase = base.ini\nname = d\nreplicas = 2\nvary run.seed = 1, 2\n' > dup.ini
expect_fail seed-overlap "dup.ini:5: tasks 1 and 2 are the same run (same values, seed 2): replicas need distinct seeds" \
  "$ESUITE" sweep dup.ini --plan
printf '[sweep]\nbase = base.ini\nname = d\nreplicas = 2\nseeds = 7, 7\nvary school.noise = 0.1\n' > dup2.ini
expect_fail seeds-repeated "dup2.ini:5: tasks 0 and 1 are the same run (same values, seed 7): replicas need distinct seeds" \
  "$ESUITE" sweep dup2.ini --plan
printf '[sweep]\nbase = base.ini\nname = d\nreplicas = 2\nvary run.seed = 1, 3\n' > spaced.ini
"$ESUITE" sweep spaced.ini --plan > spaced.txt 2>&1
expect_true seeds-spaced grep -q "sweep 'd': 4 tasks" spaced.txt

# a varied run.seed is read as the config reads it: 1e3 is 1000 (it was 1: seeds 1e3, 2e3 ran as
# 1 and 2), and digits stay exact beyond 2^53 (two seeds a unit apart were one run)
printf '[sweep]\nbase = base.ini\nname = d\nreplicas = 2\nvary run.seed = 1e3, 2.5e3\n' > e3.ini
"$ESUITE" sweep e3.ini --plan > e3.txt 2>&1
expect_true seed-exponent-0 grep -Eq '^0001  1e3 +1 +1001$' e3.txt
expect_true seed-exponent-1 grep -Eq '^0002  2.5e3 +0 +2500$' e3.txt
printf '[sweep]\nbase = base.ini\nname = d\nvary run.seed = 9007199254740993, 9007199254740992\n' > big.ini
"$ESUITE" sweep big.ini --plan > big.txt 2>&1
expect_true seed-beyond-2p53 grep -Eq '^0000  9007199254740993 +0 +9007199254740993$' big.txt
# a value listed twice (also as another spelling of the same number) would run its tasks twice
printf '[sweep]\nbase = base.ini\nname = d\nvary school.speed = 1, 2\nvary school.noise = 0.1, 0.2, 1e-1\n' > rep.ini
expect_fail value-repeated "rep.ini:5: vary school.noise: value '1e-1' (element 3) repeats '0.1' (element 1): its tasks would be the same runs twice" \
  "$ESUITE" sweep rep.ini --plan
printf '[sweep]\nbase = base.ini\nname = d\nmode = zip\nvary school.noise = 0.1, 0.2, 0.1\nvary school.speed = 1, 2, 1.0\n' > zrep.ini
expect_fail zip-point-repeated "zrep.ini:5: tasks 0 and 2 are the same run (same values, seed 3): the zip lists repeat a point" \
  "$ESUITE" sweep zrep.ini --plan
printf '[sweep]\nbase = base.ini\nname = d\nmode = zip\nvary school.noise = 0.1, 0.2, 0.1\nvary school.speed = 1, 2, 3\n' > zok.ini
"$ESUITE" sweep zok.ini --plan > zok.txt 2>&1
expect_true zip-value-repeated-ok grep -q "sweep 'd': 3 tasks (zip" zok.txt
# quotes around a list element are dropped as in configs: "0.1" is the number 0.1 (the axis
# stayed text, so the table's coordinate was a string, and "0.1", 0.1 ran twice)
printf '[sweep]\nbase = base.ini\nname = q\nvary school.noise = "0.1", 0.2\n' > quo.ini
"$ESUITE" sweep quo.ini --scheduler slurm --dir Q --quiet > /dev/null 2>&1
expect_true quoted-value-numeric grep -q '"school.noise": 0.10000000000000001' Q/manifest.json
expect_true quoted-value-config grep -q '^noise = 0.1 ' Q/tasks/0000/config.ini
printf '[sweep]\nbase = base.ini\nname = q\nvary school.noise = "0.1", 0.1\n' > quo2.ini
expect_fail quoted-value-repeated "quo2.ini:4: vary school.noise: value '0.1' (element 2) repeats '0.1' (element 1)" \
  "$ESUITE" sweep quo2.ini --plan
# integer keys of the sweep file take integral reals, as configs do; a fraction is refused
printf '[sweep]\nbase = base.ini\nname = i\nreplicas = 2.0\nseeds = 1e3, 2e3\nvary school.noise = 0.1\n[slurm]\ncpus_per_task = 2.0\n' > ir.ini
"$ESUITE" sweep ir.ini --plan > ir.txt 2>&1
expect_true sweep-int-real grep -Eq '^0001  0.1 +1 +2000$' ir.txt
printf '[sweep]\nbase = base.ini\nname = i\nreplicas = 2.5\nvary school.noise = 0.1\n' > ir2.ini
expect_fail sweep-int-fraction "ir2.ini:4: key 'sweep.replicas': expected an integer in 1 .. 100000, got '2.5'" \
  "$ESUITE" sweep ir2.ini --plan
# a value with a colon that does not start with a number (a path) is one value; "1:10" is still a
# range typo (init_file needs init = file, even when planning)
{ cat base.ini; printf 'init = file\n'; } > colon_base.ini
printf '[sweep]\nbase = colon_base.ini\nname = c\nvary school.init_file = /data/a:b/x.nc, "/y:z.nc"\n' > colon.ini
"$ESUITE" sweep colon.ini --plan > colon.txt 2>&1
expect_true colon-path-value grep -Eq '^0000  /data/a:b/x.nc +0 +3$' colon.txt
expect_true colon-quoted-value grep -Eq '^0001  /y:z.nc +0 +3$' colon.txt
printf '[sweep]\nbase = colon_base.ini\nname = c\nvary school.init_file = /data/a:b/x.nc\nvary school.noise = 0.1, 0.2\n' > colon1.ini
"$ESUITE" sweep colon1.ini --plan > colon1.txt 2>&1
expect_true colon-single-value grep -q "sweep 'c': 2 tasks" colon1.txt
# a relative init_file becomes absolute from the directory the sweep runs in; under a directory
# named 'semi ;dir' the task configs would read the path cut at ';' (a comment): refused at plan time
mkdir -p "semi ;dir"
{ cat base.ini; printf 'init = file\ninit_file = seed.nc\n'; } > "semi ;dir/sb.ini"
printf '[sweep]\nbase = sb.ini\nname = s\nvary school.noise = 0.1, 0.2\n' > "semi ;dir/s.ini"
expect_fail sweep-cwd-semicolon "key 'school.init_file': '$TMP/semi ;dir/seed.nc' has a ';' after a blank, which a config file reads as the start of a comment" \
  bash -c 'cd "semi ;dir" && exec "$0" sweep s.ini --plan' "$ESUITE"
printf '[sweep]\nbase = base.ini\nname = c\nvary school.noise = 1:10\n' > colon2.ini
expect_fail colon-range-typo "colon2.ini:4: vary school.noise: '1:10': expected A:B:STEP" "$ESUITE" sweep colon2.ini --plan
# run.threads in the base config overrides the OMP_NUM_THREADS a job sets from cpus_per_task: a warning
printf '[run]\nmodel = school\nseed = 3\nthreads = 8\n[school]\nn_fish = 10\nbox_size = 10\nn_steps = 10\nsave_interval = 5\nmetrics_every = 5\n' > thr.ini
printf '[sweep]\nbase = thr.ini\nname = t\nvary school.noise = 0.1, 0.2\n[slurm]\ncpus_per_task = 2\n' > thr_s.ini
"$ESUITE" sweep thr_s.ini --plan > /dev/null 2> thr.err
expect_true threads-warning grep -qx "esuite: warning: thr_s.ini: run.threads = 8 in the base config overrides \[slurm\] cpus_per_task = 2 (each task's OMP_NUM_THREADS); set run.threads = 0 to use the allocation" thr.err
# a key given twice is an error, as in configs (the second one won silently); extra may repeat
printf '[sweep]\nbase = base.ini\nname = t\nvary school.noise = 0.1, 0.2\n[slurm]\ntime = 1\nextra = --qos=a\nextra = --hold\ntime = 2\n' > twice.ini
expect_fail sweep-key-twice "twice.ini:9: key 'slurm.time' is given twice (first on line 6)" "$ESUITE" sweep twice.ini --plan
# a UTF-8 byte-order mark before [sweep] (Windows editors) is skipped, as in configs
printf '\xef\xbb\xbf[sweep]\nbase = base.ini\nname = b\nvary school.noise = 0.1, 0.2\n' > bom.ini
"$ESUITE" sweep bom.ini --plan > bom.txt 2>&1
expect_true sweep-bom grep -q "sweep 'b': 2 tasks" bom.txt

# the warning time follows the time limit; both scripts are valid bash
while read -r lim warn; do
  printf '[sweep]\nbase = base.ini\nname = s\nvary school.noise = 0.1, 0.2\n[slurm]\ntime = %s\n' "$lim" > s.ini
  rm -rf D
  "$ESUITE" sweep s.ini --scheduler slurm --dir D --quiet > /dev/null 2>&1
  expect_true "signal-$lim" grep -qx "#SBATCH --signal=B:USR1@$warn" D/job.sbatch
  expect_true "sbatch-bash-n-$lim" bash -n D/job.sbatch
done <<'LIST'
2 24
00:05:00 60
00:30:00 120
LIST
"$ESUITE" sweep s.ini --scheduler pbs --dir P --quiet > /dev/null 2>&1
expect_true pbs-bash-n bash -n P/job.pbs
# end to end, locally, with one failing task (its init_file is missing)
"$ESUITE" run base.ini --output seed --quiet 2>/dev/null
printf '[sweep]\nbase = base.ini\nname = e\nvary school.init_file = %s, %s\n' "$TMP/seed/school.nc" "$TMP/none.nc" > e.ini
printf 'init = file\n' >> base.ini
"$ESUITE" sweep e.ini --scheduler local --dir E --quiet > /dev/null 2>&1
expect_num local-one-failed-rc $? 1 0
"$ESUITE" sweep E --status > status.txt 2>&1
expect_num status-rc $? 1 0
expect_true status-names-task grep -q "task 0001  failed    exit code 2" status.txt
# --strict refuses the incomplete sweep and writes no table
expect_fail collect-strict "collect: --strict: 1 of 2 tasks are not complete (1 failed, 0 pending, 0 corrupt), nothing written: task 1 (E/tasks/0001): failed with exit code 2 (log E/logs/local-0001.log)" \
  "$ESUITE" collect E --strict
expect_true collect-strict-no-table test ! -e E/table.nc -a ! -e E/table.csv
"$ESUITE" collect E > /dev/null 2> collect.txt
expect_num collect-rc $? 0 0
expect_true collect-names-task grep -q "task 0001 (school.init_file=$TMP/none.nc replica 0) failed with exit code 2" collect.txt
p_task=$(json_get "$(tr -d '\n' < E/tasks/0000/out/summary.json)" P)
p_csv=$(grep -v '^#' E/table.csv | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "mean.P") c = i } NR == 2 { print $c }')
expect_num collect-csv-mean-P "$p_csv" "$p_task" 0
# a relative init_file means the working directory of 'esuite run', but tasks run in the sweep
# directory: it is made absolute from where 'esuite sweep' runs (every task failed to open it)
printf '[run]\nmodel = school\nseed = 3\n[school]\nn_fish = 10\nbox_size = 10\nn_steps = 10\nsave_interval = 5\nmetrics_every = 5\ninit = file\ninit_file = seed/school.nc\n' > rel.ini
printf '[sweep]\nbase = rel.ini\nname = rel\nvary school.noise = 0.1, 0.2\n' > rel_s.ini
"$ESUITE" sweep rel_s.ini --scheduler local --dir REL --quiet 2> rel.err
expect_num relative-init-file-rc $? 0 0
expect_true relative-init-file-absolute grep -q "^init_file = $TMP/seed/school.nc " REL/tasks/0001/config.ini
# the directory form takes no --dir naming another directory (it was ignored:
# the script went into E, not where --dir pointed)
expect_fail dir-form-other-dir "sweep: --dir F: E is already a sweep directory (--dir goes with a sweep file)" \
  "$ESUITE" sweep E --scheduler slurm --dir F
expect_true dir-form-other-dir-not-written test ! -e F -a ! -e E/job.sbatch
"$ESUITE" sweep E --scheduler slurm --dir E/ --quiet > /dev/null 2>&1
expect_num dir-form-same-dir $? 0 0
# an output that cannot be written is exit status 2, with one message
expect_fail collect-unwritable "$TMP/no/such/dir/t.nc" "$ESUITE" collect E --output "$TMP/no/such/dir/t.nc" --quiet
"$ESUITE" collect E --output "$TMP/no/such/dir/t.nc" --quiet 2>/dev/null
expect_num collect-unwritable-rc $? 2 0
# nor does one file come without the other (the NetCDF table was written before the CSV failed)
expect_fail collect-csv-unwritable "$TMP/no/such/dir/t.csv: cannot write: No such file or directory" \
  "$ESUITE" collect E --output t_only.nc --csv "$TMP/no/such/dir/t.csv" --quiet
expect_true collect-csv-unwritable-no-nc test ! -e t_only.nc
expect_true collect-csv-unwritable-no-temp bash -c '! ls t_only.nc.part* 2>/dev/null'
expect_fail collect-same-file "collect: --output and --csv name the same file 't.x'" "$ESUITE" collect E --output t.x --csv t.x
# SIGTERM to a local sweep (kill PID, or a batch system signalling the job's
# main process) is passed on to the running tasks, which checkpoint and stop;
# no further task starts. The tasks used to run on, unrecorded, after the
# sweep process had died.
printf '[run]\nmodel = school\nseed = 3\n[school]\nn_fish = 2000\nbox_size = 40\nn_steps = 3000\nsave_interval = 50\nmetrics_every = 50\n' > long.ini
printf '[sweep]\nbase = long.ini\nname = l\nvary school.noise = 0.1, 0.2, 0.3\n' > l.ini
"$ESUITE" sweep l.ini --scheduler local --dir L --jobs 2 --quiet 2> l.err &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
expect_num local-sigterm-rc $? 1 0
expect_true local-sigterm-message grep -q "sweep: stopped by signal 15 (1 of 3 tasks not started); rerun the same command to resume" l.err
"$ESUITE" sweep L --status > l.txt
expect_true local-sigterm-task0 grep -q "task 0000  failed    exit code 3  log L/logs/local-0000.log  (checkpoint: resumable)" l.txt
expect_true local-sigterm-task2 grep -q "task 0002  pending   school.noise=0.3" l.txt
# A second local runner on the same directory (the command started twice) is refused while the
# first runs: both used to run the same pending tasks into the same run directories at once.
"$ESUITE" sweep l.ini --scheduler local --dir L3 --quiet 2> /dev/null &
pid=$!
for i in $(seq 100); do [ -f L3/logs/local-0000.log ] && break; sleep 0.05; done
expect_fail local-second-runner "sweep: L3 is being run by another 'esuite sweep --scheduler local' (pid $pid); wait for it or stop it first" \
  "$ESUITE" sweep L3 --scheduler local --quiet
expect_true local-second-runner-started-nothing test ! -e L3/logs/local-0001.log
kill -TERM $pid
wait $pid
# A local sweep may live in a directory with a blank; the commands the messages suggest quote it
# ('esuite collect S x' collected S), and they work as printed.
sed -i 's/^init = file$//' base.ini
printf '[sweep]\nbase = base.ini\nname = sp\nvary school.noise = 0.1, 0.2\n' > sp.ini
"$ESUITE" sweep sp.ini --scheduler local --dir "S x" 2> sp.err
expect_num space-dir-rc $? 0 0
expect_true space-dir-hint grep -qxF "esuite: sweep: 2 tasks complete; collect with 'esuite collect \"S x\"'" sp.err
eval "\"\$ESUITE\" collect \"S x\" --quiet"
expect_true space-dir-collect test -s "S x/table.csv"
"$ESUITE" run base.ini --output 'R $x' --set school.stop_after_steps=4 --quiet 2> sp2.err
expect_true resume-hint-quoted grep -qF "continue with 'esuite run --resume \"R \\\$x\"'" sp2.err
# A local run of a sweep whose Slurm job is still queued is refused (each task would run twice);
# stand-ins for sbatch and squeue: job 4242 is listed until the flag file goes.
mkdir -p fakebin
printf '#!/bin/sh\necho 4242\n' > fakebin/sbatch
printf '#!/bin/sh\n[ -e %s/queued ] && echo 4242_1\nexit 0\n' "$TMP" > fakebin/squeue
chmod +x fakebin/sbatch fakebin/squeue
printf '[sweep]\nbase = base.ini\nname = sq\nvary school.noise = 0.1, 0.2\n' > sq.ini
touch queued
PATH="$TMP/fakebin:$PATH" "$ESUITE" sweep sq.ini --scheduler slurm --dir SQ --submit > /dev/null 2>&1
expect_true slurm-fake-submitted grep -q '"job_id": "4242"' SQ/manifest.json
PATH="$TMP/fakebin:$PATH" expect_fail local-while-queued "sweep: job 4242 of this sweep is still queued or running (squeue -j 4242); wait for it or cancel it (scancel 4242) before running the sweep here" \
  "$ESUITE" sweep SQ --scheduler local --quiet
expect_true local-while-queued-ran-nothing test ! -e SQ/logs/local-0000.log
# A squeue that hangs (a controller that does not answer) is given ESUITE_SCHEDULER_TIMEOUT
# seconds (120 by default): whether the job is queued is then unknown, and the local run is
# refused rather than risking each task twice; a hanging sbatch is not recorded as submitted.
mkdir -p hangbin
printf '#!/bin/sh
exec sleep 30
' > hangbin/squeue
cp hangbin/squeue hangbin/sbatch
chmod +x hangbin/squeue hangbin/sbatch
start=$(date +%s)
PATH="$TMP/hangbin:$PATH" ESUITE_SCHEDULER_TIMEOUT=1 expect_fail local-squeue-hangs \
  "sweep: squeue -j 4242 did not answer within 1 s, so whether job 4242 of this sweep is still queued is unknown" \
  "$ESUITE" sweep SQ --scheduler local --quiet
expect_true "squeue given up after ~1 s ($(( $(date +%s) - start )) s)" test $(( $(date +%s) - start )) -le 10
expect_true local-squeue-hangs-ran-nothing test ! -e SQ/logs/local-0000.log
# A wrapper script whose own child hangs: the alarm ends the script, but the child
# (sleep here) keeps the pipe open; esuite must still give up after the timeout.
mkdir -p hangwrap
printf '#!/bin/sh
sleep 12
' > hangwrap/squeue
chmod +x hangwrap/squeue
start=$(date +%s)
PATH="$TMP/hangwrap:$PATH" ESUITE_SCHEDULER_TIMEOUT=1 expect_fail local-squeue-wrapper-hangs \
  "sweep: squeue -j 4242 did not answer within 1 s, so whether job 4242 of this sweep is still queued is unknown" \
  "$ESUITE" sweep SQ --scheduler local --quiet
expect_true "squeue wrapper given up after ~1 s ($(( $(date +%s) - start )) s)" test $(( $(date +%s) - start )) -le 6
PATH="$TMP/hangbin:$PATH" ESUITE_SCHEDULER_TIMEOUT=1 expect_fail sbatch-hangs \
  "did not answer within 1 s: nothing recorded as submitted" "$ESUITE" sweep sq.ini --scheduler slurm --dir SH --submit
expect_true sbatch-hangs-no-submission bash -c '! grep -q job_id SH/manifest.json'
rm queued
PATH="$TMP/fakebin:$PATH" "$ESUITE" sweep SQ --scheduler local --quiet 2>/dev/null
expect_num local-after-queue-rc $? 0 0
# The same for PBS: qstat JOBID succeeds while the job is known and fails once it has finished.
mkdir -p pbsbin
printf '#!/bin/sh
echo 77[].pbsserver
' > pbsbin/qsub
printf '#!/bin/sh
[ -e %s/pbs_queued ] || exit 35
echo "77[].pbsserver  sq  me  0 B workq"
' "$TMP" > pbsbin/qstat
chmod +x pbsbin/qsub pbsbin/qstat
touch pbs_queued
PATH="$TMP/pbsbin:$PATH" "$ESUITE" sweep sq.ini --scheduler pbs --dir PQ --submit > /dev/null 2> pq.err
expect_true pbs-fake-submitted grep -q '"job_id": "77\[\].pbsserver"' PQ/manifest.json
# the job is watched with qstat (the line said 'squeue -j 77[].pbsserver')
expect_true "pbs-submit-monitor ($(cat pq.err))" grep -qxF "esuite: sweep: submitted job 77[].pbsserver (tasks 0-1); monitor with 'qstat 77[].pbsserver' and 'esuite sweep $TMP/PQ --status'" pq.err
PATH="$TMP/pbsbin:$PATH" expect_fail pbs-submit-while-queued "sweep: job 77[].pbsserver of this sweep is still queued or running (qstat 77[].pbsserver); wait for it or cancel it (qdel 77[].pbsserver) before submitting again" \
  "$ESUITE" sweep PQ --scheduler pbs --submit
PATH="$TMP/pbsbin:$PATH" expect_fail pbs-local-while-queued "(qstat 77[].pbsserver); wait for it or cancel it (qdel 77[].pbsserver) before running the sweep here" \
  "$ESUITE" sweep PQ --scheduler local --quiet
rm pbs_queued
PATH="$TMP/pbsbin:$PATH" "$ESUITE" sweep PQ --scheduler local --quiet 2>/dev/null
expect_num pbs-local-after-queue-rc $? 0 0
# A PBS array job takes at most max_array_size tasks (PBS Pro's 10000 unless [slurm] max_array_size
# says otherwise); the rest wait for the next --submit.
printf '[sweep]\nbase = base.ini\nname = pc\nreplicas = 3\n[slurm]\nmax_array_size = 2\n' > pc.ini
"$ESUITE" sweep pc.ini --scheduler pbs --dir PC > /dev/null 2> pc.err
expect_true pbs-chunk-array grep -qx '#PBS -J 0-1' PC/job.pbs
expect_true "pbs-chunk-note ($(cat pc.err))" grep -q 'this job takes 2 of the 3 unfinished tasks (max_array_size 2, \[slurm\] max_array_size)' pc.err
# A local runner killed without a chance to pass a signal on (SIGKILL, OOM): its running task
# gets SIGTERM from the kernel (PR_SET_PDEATHSIG), checkpoints and stops; it used to run on
# unrecorded, next to the same task started again by the rerun.
"$ESUITE" sweep l.ini --scheduler local --dir L5 --quiet 2> /dev/null &
pid=$!
for i in $(seq 200); do ls L5/tasks/0000/out/.school.nc.part-* > /dev/null 2>&1 && break; sleep 0.05; done
sleep 0.3
kill -KILL $pid
wait $pid 2> /dev/null
for i in $(seq 200); do [ -f L5/tasks/0000/out/checkpoint.esck ] && break; sleep 0.05; done
expect_true local-killed-runner-task-checkpointed test -f L5/tasks/0000/out/checkpoint.esck
"$ESUITE" sweep L5 --status > l5.txt
expect_true local-killed-runner-task-resumable grep -q "task 0000  pending   (checkpoint: resumable)  school.noise=0.1" l5.txt
# A task whose directory is deleted mid-sweep fails on its own: its outcome cannot be
# recorded (a warning says so), the other tasks still run, and the sweep ends with one line naming
# the failed task. The runner used to stop at the unwritable failed.json, leaving task 2 unrun.
printf '[sweep]\nbase = base.ini\nname = g\nvary school.noise = 0.1, 0.2, 0.3\n' > g.ini
sed -i 's/^init = file$//' base.ini
"$ESUITE" sweep g.ini --scheduler slurm --dir G --quiet > /dev/null 2>&1
rm -rf G/tasks/0001
"$ESUITE" sweep G --scheduler local --quiet > /dev/null 2> g.err
expect_num local-deleted-task-rc $? 1 0
expect_true local-deleted-task-warning grep -q "^esuite: sweep: task 0001: its outcome cannot be recorded: .*G/tasks/0001/failed.json" g.err
expect_true local-deleted-task-summary grep -qx "esuite: error: sweep: 1 of 3 tasks failed: 0001 (exit code 2, outcome not recorded); logs in G/logs/local-NNNN.log, 'esuite sweep G --status' lists them" g.err
expect_num local-deleted-task-stderr-lines "$(wc -l < g.err)" 2 0
expect_true local-deleted-task-others-ran test -f G/tasks/0000/out/.complete -a -f G/tasks/0002/out/.complete
"$ESUITE" sweep G --status > g.txt
expect_true local-deleted-task-status grep -q "task 0001  pending   (config.ini missing: rerun 'esuite sweep FILE' to write it again)  school.noise=0.2" g.txt
# rerunning from the sweep file writes the config again and runs only that task
"$ESUITE" sweep g.ini --scheduler local --dir G 2> g2.err
expect_num local-deleted-task-rerun-rc $? 0 0
expect_true local-deleted-task-rerun-skip grep -q "2 of 3 tasks already complete (skipped)" g2.err
# a sweep over a ramp config without `entropy = false` (a ramp does not read it): every task's
# resolved config lists the default `entropy = true`, which was refused ("tasks/0000/config.ini:42:
# key 'school.entropy': a ramp run records P and M only"): 2 of 2 tasks failed, exit code 2
printf '[run]\nmodel = school\nseed = 3\n[school]\nmode = couzin2002\nn_fish = 10\nbox_size = 20\ninit = sphere\ninit_size = 2\nsave_interval = 10\n[ramp]\nparameter = noise\nvalues = 0.1, 0.2\nhold_steps = 20\nplots = false\n' > rbase.ini
printf '[sweep]\nbase = rbase.ini\nname = r\nvary school.n_fish = 10, 12\n' > r.ini
"$ESUITE" sweep r.ini --scheduler local --dir R --quiet 2> r.err
rc=$?
expect_num "ramp-sweep-rc ($(head -c 300 r.err))" $rc 0 0
expect_num ramp-sweep-complete "$(ls R/tasks/*/out/.complete 2>/dev/null | wc -l)" 2 0
# a [school] value the [ramp] replaces is one warning for the sweep, not one per task
# (6 identical lines for 2 points x 3 replicas before)
printf '[run]\nmodel = school\nseed = 3\n[school]\nmode = couzin2002\nn_fish = 10\nbox_size = 20\ninit = sphere\ninit_size = 2\nnoise = 0.3\nsave_interval = 10\n[ramp]\nparameter = noise\nvalues = 0.1, 0.2\nhold_steps = 20\nplots = false\n' > rwarn.ini
printf '[sweep]\nbase = rwarn.ini\nname = rw\nreplicas = 3\nvary school.n_fish = 10, 12\n' > rw.ini
"$ESUITE" sweep rw.ini --plan > rw.out 2> rw.err
expect_num ramp-warning-once-rc $? 0 0
expect_true ramp-warning-once bash -c '[ "$(cat rw.err)" = "esuite: warning: $PWD/rwarn.ini:10: key '"'"'school.noise'"'"': noise = 0.3 is replaced by the [ramp] values hold by hold (first value 0.1)" ]'
finish
