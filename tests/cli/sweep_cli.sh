# esuite sweep / collect end to end without a simulator: the sweep varies
# [run]/[output] keys of a model that is not in this build, so every task
# run fails (exit 2) — which exercises failure reporting — and completed
# tasks are fabricated with summary.json files whose numbers the collected
# table must reproduce.
. "$(dirname "$0")/lib.bash"
cd "$TMP"

model=$("$ESUITE" info | sed -n 's/^models: //p' | tr ' ' '\n' | paste - - - | awk '$2 == "(not" {print $1; exit}')
if [ -z "$model" ]; then
  model=$("$ESUITE" info | sed -n 's/^models: //p' | awk '{print $1}')
  runs_fail=0
else
  runs_fail=1
fi

printf '[run]\nmodel = %s\nseed = 100\n' "$model" > base.ini
cat > s.ini <<'EOF'
[sweep]
base = base.ini
name = demo
replicas = 2
vary output.compression = 1:3:1       ; 3 values
vary output.log_interval = 0.5, 2
[slurm]
time = 00:10:00
cpus_per_task = 2
mem = 1G
partition = debug
account = proj
max_concurrent = 3
extra = --qos=low
EOF

# an option of another mode is refused, not dropped: --jobs 8 with slurm did not limit the array
expect_fail jobs-not-local "sweep: --jobs needs --scheduler local (a Slurm array's limit is [slurm] max_concurrent in the sweep file)" \
  "$ESUITE" sweep s.ini --scheduler slurm --jobs 8 --dir jobs_dir
expect_true jobs-not-local-nothing-written test ! -e jobs_dir
expect_fail jobs-plan "sweep: --jobs needs --scheduler local" "$ESUITE" sweep s.ini --plan --jobs 2
expect_fail exit-code-not-finish "sweep: --exit-code goes with --finish-task" "$ESUITE" sweep s.ini --plan --exit-code 3
expect_fail log-not-finish "sweep: --log goes with --finish-task" "$ESUITE" sweep s.ini --plan --log x.log

# a vary line over a key each task's command sets itself (--output, --set output.overwrite=true)
# was accepted, and its tasks were then one run counted twice: refused, naming the line
printf '[sweep]\nbase = base.ini\nvary run.output_dir = oa, ob\n' > outdir.ini
expect_fail vary-output-dir "esuite: error: outdir.ini:3: vary run.output_dir: the sweep sets this key for every task (each task writes to tasks/NNNN/out of the sweep directory (--output)), so the values would make no difference" \
  "$ESUITE" sweep outdir.ini --scheduler slurm --dir outdir_dir
expect_true vary-output-dir-nothing-written test ! -e outdir_dir
printf '[sweep]\nbase = base.ini\n[vary]\noutput.log_interval = 1, 2\noutput.overwrite = true, false\n' > overwrite.ini
expect_fail vary-overwrite "esuite: error: overwrite.ini:5: vary output.overwrite: the sweep sets this key for every task (each task runs with --set output.overwrite=true), so the values would make no difference" \
  "$ESUITE" sweep overwrite.ini --plan

# seeds = ... replaces a varied run.seed: 'seeds = 1, 2' with 'vary run.seed = 5, 10' was refused as
# "tasks 0 and 2 are the same run (same values, seed 1): the zip lists repeat a point" in cartesian mode
printf '[sweep]\nbase = base.ini\nreplicas = 2\nseeds = 1, 2\nvary run.seed = 5, 10\n' > seedaxis.ini
expect_fail vary-seed-with-seeds "esuite: error: seedaxis.ini:5: vary run.seed: the seeds line (line 4) gives every replica its seed, so the varied values would make no difference; give one of them" \
  "$ESUITE" sweep seedaxis.ini --plan

# --dir naming a file: the message named the directory below it ("F/logs: cannot create directory:
# Not a directory"); now the file, and nothing is written
: > plainfile
expect_fail dir-is-file "esuite: error: cannot create directory 'plainfile': it exists and is not a directory" \
  "$ESUITE" sweep s.ini --scheduler slurm --dir plainfile
expect_fail dir-under-file "esuite: error: cannot create directory 'plainfile': it exists and is not a directory" \
  "$ESUITE" sweep s.ini --scheduler slurm --dir plainfile/x
expect_true "the file is left as it was" test -f plainfile -a ! -s plainfile

# --plan: 3 x 2 x 2 = 12 tasks, replica fastest.
"$ESUITE" sweep s.ini --plan > plan.txt 2>/dev/null
expect_true plan-rc test $? -eq 0
expect_num plan-task-lines "$(grep -c '^00[01][0-9]  ' plan.txt)" 12 0
expect_true plan-task7 grep -Eq '^0007  2 +2 +1 +101$' plan.txt
expect_true plan-header grep -q "sweep 'demo': 12 tasks (cartesian, 2 varied keys, 2 replicas)" plan.txt

# Errors name the sweep file and line.
sed 's/output.log_interval/output.log_intervall/' s.ini > typo.ini
expect_fail vary-typo "typo.ini:6: vary output.log_intervall: --set output.log_intervall=0.5: unknown key" \
  "$ESUITE" sweep typo.ini --plan
expect_fail no-mode "sweep: give exactly one of --plan, --scheduler, --status" "$ESUITE" sweep s.ini
# [sweep] name is the default sweep directory: '.' and '..' wrote manifest.json, tasks/ and logs/
# into the current or parent directory. Refused with the file, line and key; nothing is written.
mkdir -p NM/sub; cp base.ini NM/sub/
for nm in '.:current' '..:parent'; do
  n=${nm%%:*}
  printf '[sweep]\nbase = base.ini\nreplicas = 2\nname = %s\n' "$n" > NM/sub/n.ini
  expect_fail "name-$n" "n.ini:4: key 'sweep.name': '$n' names the ${nm#*:} directory, not a sweep directory of its own" \
    bash -c 'cd NM/sub && "$0" sweep n.ini --scheduler slurm' "$ESUITE"
  expect_true "name-$n-nothing-written" test "$(ls -A NM | tr '\n' ' ')/$(ls -A NM/sub | tr '\n' ' ')" = "sub /base.ini n.ini "
done
printf '[sweep]\nbase = base.ini\nreplicas = 2\nname = a/b\n' > NM/sub/n.ini
expect_fail name-slash "n.ini:4: key 'sweep.name': 'a/b' may use only letters, digits, '_', '-', '.'" \
  "$ESUITE" sweep NM/sub/n.ini --plan
# without a name the file name gives it: '..ini' gave '.'
printf '[sweep]\nbase = base.ini\nreplicas = 2\n' > NM/sub/..ini
expect_fail name-default-dot "NM/sub/..ini: the default sweep name from the file name is '.', which names the current directory: set [sweep] name" \
  "$ESUITE" sweep NM/sub/..ini --scheduler local
expect_true name-default-dot-nothing-written test "$(ls -A NM/sub | tr '\n' ' ')" = "..ini base.ini n.ini "
# a file name longer than a [sweep] name may be was cut to its first 127 bytes, and so was the
# sweep directory ('sweep 'sss...s' (127 s)': 2 tasks'); now an error, nothing written
ln=$(printf 's%.0s' $(seq 150))
printf '[sweep]\nbase = base.ini\nreplicas = 2\n' > "NM/sub/$ln.ini"
expect_fail name-default-long "sub/$ln.ini: the default sweep name from the file name has 150 characters, more than the 127 of [sweep] name: set [sweep] name" \
  bash -c 'cd NM && "$0" sweep "sub/$1.ini" --scheduler local' "$ESUITE" "$ln"
expect_true name-default-long-nothing-written test "$(ls -A NM | tr '\n' ' ')" = "sub "
ln=$(printf 's%.0s' $(seq 127))
printf '[sweep]\nbase = base.ini\nreplicas = 2\n' > "NM/sub/$ln.ini"
expect_true name-default-127 bash -c '"$0" sweep "NM/sub/$1.ini" --plan | grep -qF "sweep '"'"'$1'"'"': 2 tasks"' "$ESUITE" "$ln"
rm "NM/sub/$ln.ini" "NM/sub/$(printf 's%.0s' $(seq 150)).ini"
# a default name with characters an explicit [sweep] name may not have ('my sweep.ini': a blank;
# 'a%b.ini': '%', a pattern in #SBATCH --output) named the sweep directory and job unchecked;
# now refused like the explicit name, saying it came from the file name, nothing written
printf '[sweep]\nbase = base.ini\nreplicas = 2\n' > "NM/sub/my sweep.ini"
printf '[sweep]\nbase = base.ini\nreplicas = 2\n' > "NM/sub/a%b.ini"
expect_rc name-default-blank 2 "esuite: error: sub/my sweep.ini: the default sweep name from the file name is 'my sweep', which has ' ', but a sweep name may use only letters, digits, '_', '-', '.': set [sweep] name" \
  bash -c 'cd NM && "$0" sweep "sub/my sweep.ini" --scheduler local' "$ESUITE"
expect_rc name-default-percent 2 "esuite: error: sub/a%b.ini: the default sweep name from the file name is 'a%b', which has '%', but a sweep name may use only letters, digits, '_', '-', '.': set [sweep] name" \
  bash -c 'cd NM && "$0" sweep sub/a%b.ini --scheduler slurm' "$ESUITE"
expect_rc name-default-percent-plan 2 "esuite: error: NM/sub/a%b.ini: the default sweep name from the file name is 'a%b', which has '%', but a sweep name may use only letters, digits, '_', '-', '.': set [sweep] name" \
  "$ESUITE" sweep NM/sub/a%b.ini --plan
expect_true name-default-chars-nothing-written test "$(ls -A NM | tr '\n' ' ')" = "sub "
# with a [sweep] name the file name may have them
printf '[sweep]\nbase = base.ini\nname = mine\nreplicas = 2\n' > "NM/sub/my sweep.ini"
expect_true name-default-blank-explicit-ok bash -c '"$0" sweep "NM/sub/my sweep.ini" --plan | grep -qF "sweep '"'"'mine'"'"': 2 tasks"' "$ESUITE"
rm "NM/sub/my sweep.ini" "NM/sub/a%b.ini"
expect_fail bad-scheduler "--scheduler: expected slurm, pbs or local, got 'sge'" "$ESUITE" sweep s.ini --scheduler sge

# A quoted value keeps its commas: a, "b,c" is 2 tasks (it was 3: a, "b and c"), and the task
# config holds the value as it reads back.
printf '[sweep]\nbase = base.ini\nname = qv\nvary run.name = a, "b,c"\n' > qv.ini
"$ESUITE" sweep qv.ini --plan > qv_plan.txt 2>/dev/null
expect_true quoted-plan-header grep -q "sweep 'qv': 2 tasks (cartesian, 1 varied key, 1 replica)" qv_plan.txt
expect_true quoted-plan-task0 grep -Eq '^0000  a +0 +100$' qv_plan.txt
expect_true quoted-plan-task1 grep -Eq '^0001  b,c +0 +100$' qv_plan.txt
expect_num quoted-plan-lines "$(grep -c '^000[0-9]  ' qv_plan.txt)" 2 0
"$ESUITE" sweep qv.ini --scheduler slurm --dir QV > /dev/null 2>&1
expect_true quoted-task-config grep -qx 'name = b,c    ; set by the sweep' QV/tasks/0001/config.ini
# A value that is not UTF-8 (Latin-1 'a\xB0') is an error naming the line: it was left out of
# manifest.json, and collect / --status then read 'malformed manifest: 2 tasks, but its axes and
# 1 replica give 1'
printf '[sweep]\nbase = base.ini\nname = lat\nvary run.name = a\xb0, b\n' > lat.ini
expect_fail vary-not-utf8 "lat.ini:4: vary run.name: value 1 is not UTF-8 text (bytes of another encoding, such as Latin-1); save the sweep file as UTF-8" \
  "$ESUITE" sweep lat.ini --scheduler slurm --dir LAT
expect_true vary-not-utf8-nothing-written test ! -e LAT
# A long value (a deep path) reaches the task config whole: 540 characters were cut to 502 there,
# while the plan and the manifest showed all of them.
long=$(printf 'p%.0s' $(seq 540))
printf '[sweep]\nbase = base.ini\nname = lv\nvary run.name = %s, b\n' "$long" > lv.ini
"$ESUITE" sweep lv.ini --scheduler slurm --dir LV > /dev/null 2>&1
expect_true long-value-task-config grep -qx "name = $long    ; set by the sweep" LV/tasks/0000/config.ini
expect_true long-value-manifest grep -q "\"run.name\": \"$long\"" LV/manifest.json
printf '[sweep]\nbase = base.ini\nname = qv\nvary run.name = a, "b,c\n' > qv.ini
expect_fail quoted-unclosed "qv.ini:4: vary run.name: 'a, \"b,c': element 2 opens a quote \" that is not closed" \
  "$ESUITE" sweep qv.ini --plan
printf '[sweep]\nbase = base.ini\nname = qv\nvary run.name = a, %s\n' "'\"b\"'" > qv.ini
expect_fail quoted-twice "qv.ini:4: vary run.name: value '\"b\"' would read back from the task config as 'b'" \
  "$ESUITE" sweep qv.ini --plan

# A directory the #SBATCH lines cannot hold is refused before anything is written.
expect_fail dir-with-space "sweep: the slurm script's directives cannot hold the directory '$TMP/D x'" \
  "$ESUITE" sweep s.ini --scheduler slurm --dir 'D x'
expect_true dir-with-space-not-written test ! -e 'D x'
expect_fail dir-with-percent "(a space, quote, backslash or '%' in its path)" "$ESUITE" sweep s.ini --scheduler pbs --dir D%j
expect_true dir-with-percent-not-written test ! -e 'D%j'
# The script names the directory by its real path: through a link (/scratch/me → "/gpfs/my data")
# a blank passed the check on the given path and split the #SBATCH --chdir/--output lines.
mkdir 'real x'; ln -s "$TMP/real x" lnk
expect_fail dir-link-with-space "sweep: the slurm script's directives cannot hold the directory '$TMP/real x/new', the real path of '$TMP/lnk/new' (a space" \
  "$ESUITE" sweep s.ini --scheduler slurm --dir lnk/new
expect_true dir-link-with-space-not-written test -z "$(ls -A 'real x')"
expect_fail dir-link-with-space-pbs "sweep: the pbs script's directives cannot hold the directory '$TMP/real x', the real path of '$TMP/lnk' (a space" \
  "$ESUITE" sweep s.ini --scheduler pbs --dir lnk
rm -rf lnk 'real x'

# A blank in partition/account would give sbatch a stray word on the directive line.
sed 's/^partition = debug/partition = debug long/' s.ini > part.ini
expect_fail partition-blank "part.ini:11: key 'slurm.partition': 'debug long' holds a blank (several partitions are separated by commas, e.g. gpu,short)" \
  "$ESUITE" sweep part.ini --plan
# An extra line may not set an option job.sbatch writes itself (sbatch keeps one of the two: another
# --output could put the logs where --status does not look, another --array run other tasks).
sed 's/^extra = --qos=low/extra = --qos=low --output=\/tmp\/x.out/' s.ini > extra.ini
expect_fail extra-own-option "extra.ini:14: key 'slurm.extra': '--qos=low --output=/tmp/x.out' sets an option of job.sbatch's own (esuite writes logs/slurm-%A_%a.out)" \
  "$ESUITE" sweep extra.ini --plan
sed 's/^extra = --qos=low/extra = -t 5/' s.ini > extra.ini
expect_fail extra-time "extra.ini:14: key 'slurm.extra': '-t 5' sets an option of job.sbatch's own (use [slurm] time)" \
  "$ESUITE" sweep extra.ini --plan
# A value longer than its field is an error naming the line: it was cut silently (a 600-character
# extra line went into job.sbatch as its first 511 characters, a partition list at 127).
sed "s/^extra = --qos=low/extra = --comment=$(printf 'c%.0s' $(seq 600))/" s.ini > extra.ini
expect_fail extra-too-long "extra.ini:14: key 'slurm.extra': longer than 511 characters (split it into several extra lines)" \
  "$ESUITE" sweep extra.ini --scheduler slurm --dir XL
expect_true extra-too-long-nothing-written test ! -e XL
sed "s/^partition = debug/partition = $(printf 'p,%.0s' $(seq 64))q/" s.ini > extra.ini
expect_fail partition-too-long "extra.ini:11: key 'slurm.partition': longer than 127 characters" \
  "$ESUITE" sweep extra.ini --plan
# Slurm script.
"$ESUITE" sweep s.ini --scheduler slurm --dir D > script.txt 2>/dev/null
expect_true slurm-rc test $? -eq 0
expect_true script-path grep -qx "$TMP/D/job.sbatch" script.txt
for line in '#SBATCH --array=0-11%3' '#SBATCH --cpus-per-task=2' '#SBATCH --time=00:10:00' '#SBATCH --mem=1G' \
            '#SBATCH --partition=debug' '#SBATCH --account=proj' '#SBATCH --signal=B:USR1@120' \
            '#SBATCH --qos=low' '#SBATCH --job-name=demo' '#SBATCH --open-mode=append' 'export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}'; do
  expect_true "sbatch: $line" grep -qxF -- "$line" D/job.sbatch
done
expect_true sbatch-run-line grep -qF '"$ESUITE" run "$T/config.ini" --output "$T/out" --set output.overwrite=true &' D/job.sbatch
expect_num task-configs "$(ls D/tasks | wc -l)" 12 0
expect_true task3-config grep -q '^seed = 101 ' D/tasks/0003/config.ini
expect_true task3-log grep -q '^log_interval = 2 ' D/tasks/0003/config.ini
expect_true manifest-params grep -q '"output.compression": 1' D/manifest.json

# The batch shell forwards Slurm's warning signal and records esuite's own exit
# status (3: checkpoint written), also when esuite exits at once on the signal:
# a stand-in for esuite that stops immediately on USR1 and records --finish-task.
cat > fake_esuite.sh <<'EOF2'
#!/bin/bash
case "$1" in
  run) trap 'exit 3' USR1; touch fake_started; while :; do sleep 0.02; done ;;
  sweep) echo "$*" > fake_finish.txt ;;
esac
EOF2
chmod +x fake_esuite.sh
for attempt in 1 2 3; do
  rm -f D/fake_started D/fake_finish.txt
  SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_JOB_ID=78 ESUITE="$TMP/fake_esuite.sh" bash D/job.sbatch 2>/dev/null &
  jp=$!
  for i in $(seq 1 200); do [ -e D/fake_started ] && break; sleep 0.02; done
  kill -USR1 $jp
  wait $jp
  expect_num "sbatch-usr1-exit-$attempt" $? 3 0
  expect_true "sbatch-usr1-finish-$attempt" grep -q -- '--finish-task 5 --exit-code 3 ' D/fake_finish.txt
done
# An array element beyond the sweep (the job submitted with another --array, sbatch --array=0-15
# job.sbatch) stops with one line naming it; it ran esuite run on tasks/0012/config.ini, which is
# not there, and --finish-task failed naming tasks/0012/failed.json.part-PID.
rm -f D/fake_started D/fake_finish.txt
expect_fail sbatch-element-beyond-sweep "esuite: $TMP/D has no task 12 (no directory tasks/0012)" \
  env SLURM_ARRAY_TASK_ID=12 SLURM_ARRAY_JOB_ID=78 ESUITE="$TMP/fake_esuite.sh" bash D/job.sbatch
expect_true sbatch-element-beyond-sweep-nothing-run test ! -e D/fake_started -a ! -e D/fake_finish.txt -a ! -e D/tasks/0012
expect_fail finish-task-beyond-sweep "esuite: error: sweep: --finish-task 12: D has no task 12 (no directory D/tasks/0012)" \
  "$ESUITE" sweep D/ --finish-task 12 --exit-code 0 --log logs/x.err
expect_true finish-task-beyond-sweep-nothing-written test ! -e D/tasks/0012
# A requeued job (same job ID, so the same log files, appended to) marks where its new attempt starts
printf '#!/bin/bash\nexit 0\n' > fake_true.sh; chmod +x fake_true.sh
SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_JOB_ID=78 SLURM_JOB_ID=82 SLURM_RESTART_COUNT=2 ESUITE="$TMP/fake_true.sh" \
  bash D/job.sbatch > rq.out 2> rq.err
expect_num requeue-rc $? 0 0
hdr='^--- esuite sweep: job 82 requeued \(restart 2\) at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z; the earlier attempts. output is above ---$'
expect_true requeue-header-out grep -qE "$hdr" rq.out
expect_true requeue-header-err-first sh -c "head -1 rq.err | grep -qE '$hdr'"
SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_JOB_ID=78 SLURM_JOB_ID=82 SLURM_RESTART_COUNT=0 ESUITE="$TMP/fake_true.sh" \
  bash D/job.sbatch > rq.out 2> rq.err
expect_true first-attempt-no-header sh -c "! grep -q requeued rq.out rq.err"
sed 's/^extra = --qos=low/extra = --open-mode=truncate/' s.ini > extra.ini
expect_fail extra-open-mode "extra.ini:14: key 'slurm.extra': '--open-mode=truncate' sets an option of job.sbatch's own (esuite appends, so a requeued job keeps the earlier attempt's log)" \
  "$ESUITE" sweep extra.ini --plan

# More tasks than the cluster's MaxArraySize (here max_array_size = 5 for 12 tasks): sbatch
# refused such an array outright. One job takes 5 tasks; the second pass (tasks 0-4 done) maps
# array elements 0..4 onto tasks 5..9 through a list in the script.
sed 's/^max_concurrent = 3/max_concurrent = 3\nmax_array_size = 5/' s.ini > big.ini
"$ESUITE" sweep big.ini --scheduler slurm --dir BIG > /dev/null 2> big.err
expect_true big-array-first grep -qx '#SBATCH --array=0-4%3' BIG/job.sbatch
expect_true big-note-rest grep -q "this job takes 5 of the 12 unfinished tasks (MaxArraySize 5, \[slurm\] max_array_size); when it has ended, run the same command again for the rest" big.err
for i in 0 1 2 3 4; do
  mkdir -p BIG/tasks/000$i/out; echo '{"P": 1}' > BIG/tasks/000$i/out/summary.json
  "$ESUITE" sweep BIG --finish-task $i --exit-code 0 --log x
done
"$ESUITE" sweep BIG --scheduler slurm > /dev/null 2> big.err
expect_true big-array-mapped grep -qx '#SBATCH --array=0-4%3' BIG/job.sbatch
expect_true big-task-list grep -qx 'TASKS=(5 6 7 8 9)' BIG/job.sbatch
expect_true big-note-mapped grep -q "task indices reach 9, beyond MaxArraySize - 1 = 4: array elements 0..4 run the tasks listed in job.sbatch" big.err
expect_true big-bash-n bash -n BIG/job.sbatch
expect_true big-names-tasks grep -q "wrote $TMP/BIG/job.sbatch for 5 tasks (5-9 as array 0-4%3)" big.err
rm -f BIG/fake_started BIG/fake_finish.txt
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_JOB_ID=79 ESUITE="$TMP/fake_esuite.sh" bash BIG/job.sbatch 2>/dev/null &
jp=$!
for i in $(seq 1 200); do [ -e BIG/fake_started ] && break; sleep 0.02; done
kill -USR1 $jp
wait $jp
expect_true big-element2-runs-task7 grep -q -- '--finish-task 7 --exit-code 3 --log logs/slurm-79_2.err' BIG/fake_finish.txt
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_JOB_ID=79 ESUITE="$TMP/fake_esuite.sh" bash BIG/job.sbatch 2> big_el5.err
expect_num big-element-beyond-list $? 1 0
expect_true big-element-beyond-msg grep -qx "esuite: no task for array element 5" big_el5.err

# PBS script.
"$ESUITE" sweep D --scheduler pbs >/dev/null 2>&1
expect_true pbs-array grep -qx '#PBS -J 0-11' D/job.pbs
expect_true pbs-select grep -qx '#PBS -l select=1:ncpus=2:mem=1G' D/job.pbs
expect_true pbs-walltime grep -qx '#PBS -l walltime=0:10:00' D/job.pbs
# PBS reads walltime as [[H:]M:]S: Slurm's "minutes" and "D-H:M:S" forms are converted
# ("30" was 30 seconds there, and "1-12:00:00" was rejected by qsub)
for tw in '30 0:30:00' '1-12 36:00:00' '45:10 0:45:10'; do
  set -- $tw
  sed "s/^time = .*/time = $1/" s.ini > pbs_t.ini
  rm -rf PT; "$ESUITE" sweep pbs_t.ini --scheduler pbs --dir PT --quiet >/dev/null 2>&1
  expect_true "pbs-walltime-$1" grep -qx "#PBS -l walltime=$2" PT/job.pbs
done
for lim in UNLIMITED 0; do  # 0: Slurm's "no limit", not a walltime of zero
  sed "s/^time = .*/time = $lim/" s.ini > pbs_t.ini
  rm -rf PT; "$ESUITE" sweep pbs_t.ini --scheduler pbs --dir PT --quiet >/dev/null 2>&1
  expect_true "pbs-walltime-$lim" bash -c '! grep -q walltime PT/job.pbs && test -f PT/job.pbs'
done

if [ "$runs_fail" = 1 ]; then
  # One array element run by hand as Slurm would: the run fails, and the
  # failure is recorded with its exit code and log path.
  SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_JOB_ID=77 SLURM_CPUS_PER_TASK=1 ESUITE="$ESUITE" bash D/job.sbatch 2>/dev/null
  expect_num sbatch-task-exit $? 2 0
  expect_true failed-json grep -q '"exit_code": 2' D/tasks/0003/failed.json
  expect_true failed-log grep -q '"log": "logs/slurm-77_3.err"' D/tasks/0003/failed.json
  # Local runner: all 12 fail; --status lists each with its exit code and log.
  "$ESUITE" sweep D --scheduler local --jobs 2 2>/dev/null
  expect_num local-rc $? 1 0
  "$ESUITE" sweep D --status > status.txt
  expect_num status-rc $? 1 0
  expect_true status-head grep -q "12 tasks: 0 complete, 12 failed, 0 pending, 0 corrupt" status.txt
  expect_true status-line grep -q "task 0007  failed    exit code 2  log D/logs/local-0007.log" status.txt
fi

# Signal forwarding in job.sbatch: Slurm sends USR1 to the batch shell
# (--signal=B:USR1@120); the shell must pass it to the running esuite (here a
# stand-in that records the signal and exits 3), then record the failure.
cat > fake_esuite.sh <<EOF
#!/bin/bash
if [ "\$1" = run ]; then
  trap 'echo USR1 > got_usr1; exit 3' USR1
  touch started
  for i in \$(seq 200); do sleep 0.05; done
  exit 0
fi
exec "$ESUITE" "\$@"
EOF
chmod +x fake_esuite.sh
rm -f D/started D/got_usr1
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_JOB_ID=5 ESUITE="$TMP/fake_esuite.sh" bash D/job.sbatch 2>/dev/null &
jobpid=$!
for i in $(seq 100); do [ -f D/started ] && break; sleep 0.05; done
kill -USR1 $jobpid
wait $jobpid
expect_num usr1-forward-exit $? 3 0
expect_true usr1-reached-esuite test -f D/got_usr1
expect_true usr1-failed-recorded grep -q '"exit_code": 3' D/tasks/0002/failed.json

# Fabricate results for tasks 0..10: P = 10*compression + log_interval + replica/4.
for i in $(seq 0 10); do
  c=$(( i / 4 + 1 )); r=$(( i % 2 )); l=$([ $(( (i / 2) % 2 )) = 0 ] && echo 0.5 || echo 2)
  P=$(awk -v c=$c -v l=$l -v r=$r 'BEGIN { printf "%.17g", 10 * c + l + r / 4 }')
  d=D/tasks/$(printf %04d $i)/out; mkdir -p $d
  printf '{"P": %s, "final": {"H": %d}, "provenance": {"seed": 1}}\n' "$P" $i > $d/summary.json
  "$ESUITE" sweep "$TMP/D" --finish-task $i --exit-code 0 --log x
done
rm -f D/tasks/0011/failed.json                        # 11: never ran
# exit status 0 with a summary.json that is not JSON is a failure with its reason (it was
# "complete", and collect then stopped on it with no table at all)
mkdir -p D/tasks/0011/out; echo '{"P": ' > D/tasks/0011/out/summary.json
"$ESUITE" sweep D --finish-task 11 --exit-code 0 --log x
"$ESUITE" sweep D --status > status.txt
expect_true bad-summary-failed grep -q "task 0011  failed    exit code -1 (exit status 0 but summary.json is not a JSON object (line 2: " status.txt
# a directory given with a trailing slash is the same directory in messages (it read D//x)
"$ESUITE" sweep D/ --status > status_sl.txt
expect_true status-slash-head grep -q "^sweep 'demo' in D: 12 tasks" status_sl.txt
expect_true status-slash-line grep -q "task 0011  failed    exit code -1 (.*)  log D/x  " status_sl.txt
expect_true status-slash-no-double bash -c '! grep -q "D//" status_sl.txt'
# collect names the reason of exit code -1 as --status does, with or without --strict (without,
# its line said only "failed with exit code -1")
why=$(sed -n 's/^  task 0011  failed    \(exit code -1 (exit status 0 but .*)\)  log D\/x  .*/\1/p' status.txt)
expect_true "status-reason-found ($why)" test -n "$why"
"$ESUITE" collect D --output bs.nc --csv bs.csv 2> bs.err
expect_num collect-reason-rc $? 0 0
expect_true "collect-reason-as-status ($(grep 0011 bs.err))" grep -qxF "esuite: collect: task 0011 (output.compression=3 output.log_interval=2 replica 1) failed with $why (log D/x)" bs.err
expect_fail collect-strict-reason-as-status "nothing written: task 11 (D/tasks/0011): failed with $why (log D/x)" \
  "$ESUITE" collect D --strict --quiet --output bs.nc --csv bs.csv
rm -f bs.nc bs.csv
rm -rf D/tasks/0011/out D/tasks/0011/failed.json
"$ESUITE" sweep D --status > status.txt
expect_true status-11-complete grep -q "12 tasks: 11 complete, 0 failed, 1 pending, 0 corrupt" status.txt

# Rerun: only the unfinished task is scheduled.
"$ESUITE" sweep s.ini --scheduler slurm --dir D > /dev/null 2>err.txt
expect_true resubmit-array grep -qx '#SBATCH --array=11%3' D/job.sbatch
expect_true resubmit-skip grep -q "11 of 12 tasks already complete (skipped)" err.txt
# PBS: element 0 runs task 11 from the list in job.pbs (pbs_tasks.txt was read when the element
# started, so regenerating the script while a job waited changed the tasks it ran)
"$ESUITE" sweep D --scheduler pbs > /dev/null 2>&1
expect_true pbs-task-list grep -qx 'TASKS=(11)' D/job.pbs
rm -f D/fake_finish.txt
printf '#!/bin/bash\n[ "$1" = sweep ] && echo "$*" > fake_finish.txt\nexit 0\n' > fake_ok.sh
chmod +x fake_ok.sh
PBS_ARRAY_INDEX=0 PBS_JOBID=9.pbs ESUITE="$TMP/fake_ok.sh" bash D/job.pbs 2>/dev/null
expect_true pbs-element0-task11 grep -q -- '--finish-task 11 --exit-code 0 --log logs/pbs-9.pbs.err' D/fake_finish.txt
rm -f D/fake_finish.txt

# Collect: the table reproduces the fabricated numbers; task 11 is reported.
"$ESUITE" collect D --output t.nc --csv t.csv 2> collect_err.txt
expect_num collect-rc $? 0 0
expect_true collect-lists-missing grep -q "task 0011 (output.compression=3 output.log_interval=2 replica 1) has no result yet" collect_err.txt
expect_true collect-summary grep -q "11 of 12 tasks complete (0 failed, 1 pending, 0 corrupt), 2 fields" collect_err.txt
# esuite info t.csv: the CSV's '#' provenance lines under the table.nc attribute names, plus its
# column and row counts (it was refused: "cannot read it as HDF5, NetCDF or JSON")
"$ESUITE" info t.csv > info_csv.txt 2> info_csv.err
expect_num info-csv-rc $? 0 0
"$ESUITE" info t.nc > info_nc.txt
field() { sed -n "/^config:$/q; s/^$1  *//p" "$2"; }  # above the config text
for k in esuite_version git_revision model seed created command_line sweep_name sweep_dir; do
  expect_true "info-csv-$k '$(field $k info_csv.txt)' as table.nc's '$(field $k info_nc.txt)'" \
    test -n "$(field $k info_nc.txt)" -a "$(field $k info_csv.txt)" = "$(field $k info_nc.txt)"
done
expect_true "info-csv-values ($(field model info_csv.txt) $(field seed info_csv.txt) $(field sweep_name info_csv.txt), model $model)" \
  test "$(field model info_csv.txt) $(field seed info_csv.txt) $(field sweep_name info_csv.txt)" = "$model 100 demo"
expect_true "info-csv-file-line" grep -qx 'file  *t.csv' info_csv.txt
# task,replica,seed,status,exit_code, 2 swept keys, 2 fields; 12 tasks (the pending one a row too)
expect_num info-csv-columns "$(field columns info_csv.txt)" 9 0
expect_num info-csv-rows "$(field rows info_csv.txt)" 12 0
expect_true info-csv-config-as-table-nc test "$(sed -n '/^config:$/,$p' info_csv.txt)" = "$(sed -n '/^config:$/,$p' info_nc.txt)"
expect_true info-csv-config-has-lines test "$(sed -n '/^config:$/,$p' info_csv.txt | grep -c '; set by the sweep$')" -eq 3
printf 'a,b\n1,2\n' > plain.csv
expect_rc info-csv-no-provenance 2 "esuite: error: info: plain.csv: a CSV file without esuite's provenance lines (its first line is not \"# esuite sweep summary table of '<sweep>' (<model>), collected from <dir>\"): esuite info reads the table.csv 'esuite collect' writes" \
  "$ESUITE" info plain.csv
{ cat t.csv; echo '12,0,1'; } > short_row.csv
expect_rc info-csv-short-row 2 "esuite: error: info: short_row.csv:$(($(wc -l < t.csv) + 1)): 3 fields, but the header (line $(grep -n '^task,' t.csv | cut -d: -f1)) has 9 columns" \
  "$ESUITE" info short_row.csv
# 'esuite collect --help' names every per-task-state attribute the table carries (corrupt_tasks
# and complete_tasks were not named)
for att in $(ncdump -h t.nc | sed -n 's/^\t\t:\([a-z]*_tasks\) = .*/\1/p'); do
  expect_true "collect-help-names-$att" bash -c "'$ESUITE' collect --help | grep -qw $att"
done
expect_num collect-task-attributes "$(ncdump -h t.nc | grep -c '^		:[a-z]*_tasks = ')" 4 0
# --strict with a task missing writes nothing at all (it wrote both tables, then exited 1):
# one message with the count and the task, no file, no temporary file, an old table untouched.
expect_fail collect-strict-missing "collect: --strict: 1 of 12 tasks are not complete (0 failed, 1 pending, 0 corrupt), nothing written: task 11 (D/tasks/0011): no summary.json" \
  "$ESUITE" collect D --strict --output t2.nc --csv t2.csv
# SWEEPDIR with a trailing slash (D/ or D//) names D/tasks/..., not D//tasks/...
expect_fail collect-strict-slash "nothing written: task 11 (D/tasks/0011): no summary.json" \
  "$ESUITE" collect D// --strict --output t2.nc --csv t2.csv
"$ESUITE" collect D --strict --quiet --output t2.nc --csv t2.csv 2>/dev/null
expect_num collect-strict-rc $? 1 0
expect_true collect-strict-no-nc test ! -e t2.nc
expect_true collect-strict-no-csv test ! -e t2.csv
expect_true collect-strict-no-temp bash -c '! ls -A . D | grep -q "\.part-"'
"$ESUITE" collect D --strict --quiet 2>/dev/null
expect_num collect-strict-default-rc $? 1 0
expect_true collect-strict-no-default-table test ! -e D/table.nc -a ! -e D/table.csv
echo old-table > t3.csv; cp t.nc t3.nc
"$ESUITE" collect D --strict --quiet --output t3.nc --csv t3.csv 2>/dev/null
expect_true collect-strict-old-csv-untouched test "$(cat t3.csv)" = old-table
expect_true collect-strict-old-nc-untouched cmp -s t.nc t3.nc
expect_true csv-header grep -qx 'task,replica,seed,status,exit_code,output.compression,output.log_interval,P,final.H' t.csv
expect_true csv-row9 grep -qx '9,1,101,complete,,3,0.5,30.75,9' t.csv
expect_true csv-row11 grep -qx '11,1,101,pending,,3,2,,' t.csv
if command -v ncdump >/dev/null; then
  # P(compression=2, log_interval=2, replica=1) = 22.25 (task 7)
  vals=$(ncdump -v P t.nc | sed -n '/^ P =/,/;/p' | tr -d ' P=;\n' | tr ',' ' ')
  set -- $vals
  expect_num nc-P-task7 "${8}" 22.25 0
  expect_true nc-P-task11-fill test "${12}" = "_" -o "${12}" = "NaN"
  expect_true nc-missing-attr grep -q 'missing_tasks = "11"' <(ncdump -h t.nc)
fi
# --strict names the first five incomplete tasks, why each is not complete, and how many more:
# task 11 failed, 0-5 pending (0-2 without, 3 with a summary.json but no .complete), 4 corrupt
cp -r D DS
rm -f DS/tasks/000[0-3]/out/.complete DS/tasks/000[0-2]/out/summary.json DS/tasks/0005/out/.complete
rm -f DS/tasks/0005/out/summary.json
echo '{"P": 0}' > DS/tasks/0004/out/summary.json
"$ESUITE" sweep DS --finish-task 11 --exit-code 2 --log logs/x.err
expect_fail collect-strict-first-five "collect: --strict: 7 of 12 tasks are not complete (1 failed, 5 pending, 1 corrupt), nothing written: task 0 (DS/tasks/0000): no summary.json; task 1 (DS/tasks/0001): no summary.json; task 2 (DS/tasks/0002): no summary.json; task 3 (DS/tasks/0003): summary.json but not finished (no out/.complete: still running?); task 4 (DS/tasks/0004): outputs changed since completion (checksum mismatch); and 2 more" \
  "$ESUITE" collect DS --strict --quiet
expect_true collect-strict-first-five-no-table test ! -e DS/table.nc -a ! -e DS/table.csv
cp -r D DF
"$ESUITE" sweep DF --finish-task 11 --exit-code 2 --log logs/x.err
expect_fail collect-strict-failed "collect: --strict: 1 of 12 tasks are not complete (1 failed, 0 pending, 0 corrupt), nothing written: task 11 (DF/tasks/0011): failed with exit code 2 (log DF/logs/x.err)" \
  "$ESUITE" collect DF --strict --quiet --output DF/t.nc
expect_true collect-strict-failed-no-table test ! -e DF/t.nc -a ! -e DF/table.csv
# A damaged out/.complete (a copy cut short) is corrupt, named with why: it counted as pending
# and --strict said "no out/.complete: still running?".
cp -r D DC
printf '{"fnv1a64": "00' > DC/tasks/0003/out/.complete
"$ESUITE" sweep DC --status > dc.txt
expect_true damaged-complete-status grep -qF "task 0003  corrupt   (out/.complete does not read as JSON (line 1: " dc.txt
expect_true damaged-complete-status-head grep -qF "12 tasks: 10 complete, 0 failed, 1 pending, 1 corrupt" dc.txt
expect_fail damaged-complete-strict "collect: --strict: 2 of 12 tasks are not complete (0 failed, 1 pending, 1 corrupt), nothing written: task 3 (DC/tasks/0003): out/.complete does not read as JSON (line 1: " \
  "$ESUITE" collect DC --strict --quiet
"$ESUITE" collect DC 2> dc.err
expect_true damaged-complete-collect grep -qF "esuite: collect: task 0003 (output.compression=1 output.log_interval=2 replica 1): out/.complete does not read as JSON (line 1: " dc.err
expect_true damaged-complete-csv grep -qx '3,1,101,corrupt,,1,2,,' DC/table.csv
# A damaged failed.json (cut short) is corrupt, named with why: it counted as pending, as if the
# task had never run ("task 0011  pending", --strict "no summary.json"), and its exit code was lost.
cp -r D DJ
printf '{"exit_code": 2, "lo' > DJ/tasks/0011/failed.json
"$ESUITE" sweep DJ --status > dj.txt
expect_num damaged-failed-status-rc $? 1 0
expect_true damaged-failed-status-head grep -qF "12 tasks: 11 complete, 0 failed, 0 pending, 1 corrupt" dj.txt
expect_true damaged-failed-status grep -qxF "  task 0011  corrupt   (failed.json does not read as JSON (line 1: premature end of input near '\"lo'))  output.compression=3 output.log_interval=2 replica 1" dj.txt
expect_fail damaged-failed-strict "collect: --strict: 1 of 12 tasks are not complete (0 failed, 0 pending, 1 corrupt), nothing written: task 11 (DJ/tasks/0011): failed.json does not read as JSON (line 1: premature end of input near '\"lo')" \
  "$ESUITE" collect DJ --strict --quiet
"$ESUITE" collect DJ 2> dj.err
expect_true damaged-failed-collect grep -qxF "esuite: collect: task 0011 (output.compression=3 output.log_interval=2 replica 1): failed.json does not read as JSON (line 1: premature end of input near '\"lo'); left out" dj.err
expect_true damaged-failed-csv grep -qx '11,1,101,corrupt,,3,2,,' DJ/table.csv
# JSON that is not the record (no integer exit_code) read as "failed with exit code 0"
echo '[]' > DJ/tasks/0011/failed.json
"$ESUITE" sweep DJ --status > dj.txt
expect_true damaged-failed-not-record grep -qF "  task 0011  corrupt   (failed.json is not a failure record (a JSON object with an integer exit_code))" dj.txt
# a rerun says so and runs the task again
"$ESUITE" sweep DJ --scheduler slurm > /dev/null 2> dj.err
expect_true damaged-failed-rerun grep -qxF "esuite: sweep: task 0011: failed.json is not a failure record (a JSON object with an integer exit_code): it runs again" dj.err
expect_true damaged-failed-rerun-array grep -qx '#SBATCH --array=11%3' DJ/job.sbatch
# With every task complete --strict writes the same table as without it (exit 0).
mkdir -p D/tasks/0011/out; printf '{"P": 32.25, "final": {"H": 11}}\n' > D/tasks/0011/out/summary.json
"$ESUITE" sweep D --finish-task 11 --exit-code 0 --log x
"$ESUITE" collect D --output all.nc --csv all.csv 2>/dev/null
expect_num collect-all-rc $? 0 0
"$ESUITE" collect D --strict --output all_s.nc --csv all_s.csv 2> strict_ok.err
expect_num collect-strict-complete-rc $? 0 0
expect_true collect-strict-complete-summary grep -q "12 of 12 tasks complete (0 failed, 0 pending, 0 corrupt), 2 fields" strict_ok.err
expect_num collect-strict-complete-rows "$(grep -vc '^#' all_s.csv)" 13 0
expect_true collect-strict-complete-row11 grep -qx '11,1,101,complete,,3,2,32.25,11' all_s.csv
expect_true collect-strict-same-table cmp -s <(grep -v '^#' all.csv) <(grep -v '^#' all_s.csv)
# a trailing slash: the default tables are D/table.nc and D/table.csv in every message
"$ESUITE" collect D/ 2> slash.err
expect_num collect-slash-rc $? 0 0
expect_true collect-slash-summary grep -qF "12 of 12 tasks complete (0 failed, 0 pending, 0 corrupt), 2 fields → D/table.nc, D/table.csv" slash.err
expect_true collect-slash-table cmp -s <(grep -v '^#' all.csv) <(grep -v '^#' D/table.csv)
"$ESUITE" sweep s.ini --scheduler local --dir D/ 2> slash.err
expect_num local-slash-all-complete-rc $? 0 0
expect_true local-slash-all-complete grep -qxF "esuite: sweep: all 12 tasks of 'demo' are complete; collect with 'esuite collect D'" slash.err
if command -v ncdump >/dev/null; then
  expect_true collect-strict-same-nc-P cmp -s <(ncdump -v P all.nc | sed -n '/^ P =/,/;/p') <(ncdump -v P all_s.nc | sed -n '/^ P =/,/;/p')
  expect_true collect-strict-nc-P-task11 grep -q '32.25 ;' <(ncdump -v P all_s.nc)
fi
# --csv naming the NetCDF table's default file (or --output the CSV's, or the two one file spelt
# two ways) is refused before anything is written: both went through one staging name, the CSV
# replaced table.nc and the error was "cannot flush '.table.nc.part-PID' to disk".
"$ESUITE" collect D --quiet 2>/dev/null
cp D/table.nc nc_before; cp D/table.csv csv_before
expect_fail collect-csv-is-default-nc "collect: --csv 'D/table.nc' names the file the NetCDF table goes to (D/table.nc, the default of --output): the CSV would replace the NetCDF table; give --output too" \
  "$ESUITE" collect D --csv D/table.nc
expect_true collect-csv-is-default-nc-untouched cmp -s D/table.nc nc_before
expect_fail collect-output-is-default-csv "collect: --output 'D//table.csv' names the file the CSV table goes to (D/table.csv, the default of --csv): the CSV would replace the NetCDF table; give --csv too" \
  "$ESUITE" collect D --output D//table.csv
expect_true collect-output-is-default-csv-untouched cmp -s D/table.csv csv_before
expect_fail collect-same-file-spelt-twice "collect: --output and --csv name the same file './x.nc'" \
  "$ESUITE" collect D --output ./x.nc --csv x.nc
expect_true collect-same-file-spelt-twice-not-written test ! -e x.nc
ln -s D/table.nc via_link.csv
expect_fail collect-csv-links-to-nc "collect: --output and --csv name the same file 'D/table.nc'" \
  "$ESUITE" collect D --output D/table.nc --csv via_link.csv
expect_true collect-csv-links-to-nc-untouched cmp -s D/table.nc nc_before
expect_true collect-no-staging-left bash -c '! ls -A . D | grep -q "\.part-"'
# An output that is a directory is refused before anything is written: the NetCDF table was
# renamed into place and only then did moving the CSV onto the directory fail (exit 2, and a new
# table.nc next to no CSV).
mkdir -p outdir; rm -f D/table.nc D/table.csv
expect_fail collect-csv-is-dir "collect: --csv 'outdir' is a directory, not a file: nothing written" \
  "$ESUITE" collect D --csv outdir
expect_true collect-csv-is-dir-no-nc test ! -e D/table.nc
expect_true collect-csv-is-dir-empty test -z "$(ls -A outdir)"
mkdir D/table.nc
expect_fail collect-default-nc-is-dir "collect: --output (default) 'D/table.nc' is a directory, not a file: nothing written" \
  "$ESUITE" collect D --quiet
expect_true collect-default-nc-is-dir-no-csv test ! -e D/table.csv
rmdir D/table.nc
# A directory that is not a sweep (no manifest.json) says so, without a JSON parser's "line -1".
mkdir -p notasweep
expect_fail collect-not-a-sweep "notasweep is not a sweep directory (no manifest.json" "$ESUITE" collect notasweep
expect_fail status-not-a-sweep "notasweep is not a sweep directory (no manifest.json" "$ESUITE" sweep notasweep --status
# a path that is not there, or a file (the sweep file for its directory), says that (both got
# "is not a sweep directory (no manifest.json; 'esuite sweep FILE --scheduler ...' writes one)")
expect_fail collect-no-such-dir "error: nosuchsweep: no such sweep directory: No such file or directory" \
  "$ESUITE" collect nosuchsweep
expect_fail collect-file "error: s.ini is a file, not a sweep directory (the directory that 'esuite sweep FILE --scheduler ...' wrote)" \
  "$ESUITE" collect s.ini
# --scheduler local continues a task from its checkpoint, as job.sbatch does: the tasks stop
# at step 5 (exit 3, checkpoint) on the first pass; the second pass resumes them to the end
# (a fresh start would stop at step 5 again).
if "$ESUITE" info | grep -q '^models:.* school' && ! "$ESUITE" info | grep -q 'school (not built)'; then
  printf '[run]\nmodel = school\nseed = 5\n[school]\nn_fish = 20\nn_steps = 20\nstop_after_steps = 5\n' > ck_base.ini
  printf '[sweep]\nbase = ck_base.ini\nname = ck\nreplicas = 2\n' > ck.ini
  "$ESUITE" sweep ck.ini --scheduler local --dir CK --quiet 2>/dev/null
  expect_num local-stopped-rc $? 1 0
  expect_true local-checkpoint-left test -f CK/tasks/0001/out/checkpoint.esck
  "$ESUITE" sweep CK --scheduler local --quiet 2>/dev/null
  expect_num local-resumed-rc $? 0 0
  expect_true local-resumed-complete bash -c '"$0" sweep CK --status > /dev/null' "$ESUITE"
  expect_true local-resumed-with-resume grep -q 'run --resume tasks/0001/out' CK/tasks/0001/out/summary.json
  # a task's log has the run's progress lines (batch jobs need the ETA), ending at 100 % of the run
  expect_true local-log-progress grep -q '^\[20[0-9T:Z-]*\] school: 100.0% done, elapsed' CK/logs/local-0001.log
  # The rerun appends to the task's log: it was opened with O_TRUNC, so the first attempt's lines
  # (why it stopped) were gone. Now they stay, then one line on when and how it ran again.
  expect_true local-log-first-attempt-kept grep -qxF "esuite: error: school: interrupted by stop_after_steps = 5 at step 5 of 20 (checkpoint written); continue with 'esuite run --resume tasks/0001/out'" CK/logs/local-0001.log
  expect_num local-log-one-header "$(grep -c '^--- esuite sweep: task 0001 run again at ' CK/logs/local-0001.log)" 1 0
  expect_true local-log-resumed-header grep -qxE "\-\-\- esuite sweep: task 0001 run again at 20[0-9-]{8}T[0-9:]{8}Z, resumed from its checkpoint \(esuite run --resume tasks/0001/out\); the earlier attempts' output is above \-\-\-" CK/logs/local-0001.log
  expect_true local-log-order test "$(grep -n -e 'interrupted by stop_after_steps' -e '^--- esuite sweep' -e 'run complete' CK/logs/local-0001.log | cut -d: -f1 | tr '\n' ' ')" = "4 5 9 "
  # A task that failed without a checkpoint starts afresh, below the earlier log; a log cut short
  # mid-line (a node lost while writing) gets its newline before the header.
  printf '[run]\nmodel = school\nseed = 5\n[school]\nn_fish = 20\nn_steps = 20\ninit = file\ninit_file = %s/no_such_seed.nc\n' "$TMP" > nf_base.ini
  printf '[sweep]\nbase = nf_base.ini\nname = nf\nreplicas = 2\n' > nf.ini
  "$ESUITE" sweep nf.ini --scheduler local --dir NF --quiet 2>/dev/null
  expect_num local-rerun-first-rc $? 1 0
  printf 'cut short' >> NF/logs/local-0000.log
  "$ESUITE" sweep NF --scheduler local --quiet 2>/dev/null
  expect_num local-rerun-second-rc $? 1 0
  nferr="esuite: error: tasks/0000/config.ini:36: key 'school.init_file': cannot open '$TMP/no_such_seed.nc': No such file or directory"
  expect_true "local-log-afresh ($(cat NF/logs/local-0000.log))" test "$(sed 's/ at 20[0-9-]*T[0-9:]*Z,/ at T,/' NF/logs/local-0000.log)" = "$nferr
cut short
--- esuite sweep: task 0000 run again at T, started afresh (esuite run tasks/0000/config.ini); the earlier attempts' output is above ---
$nferr"
  # SIGTERM to the local runner is passed on to the running tasks at once (they checkpoint and
  # stop: failed with exit code 3, resumable), no further task starts, and it exits 1 naming how
  # many did not start. The signal is blocked while the runner decides and taken in sigsuspend: one
  # that came between its check and a blocking waitpid was not passed on until some task ended by
  # itself (here: never). Tasks of 10^8 steps; started = the run's temporary school.nc exists (its
  # signal handlers are installed before it); generous limits for a loaded machine.
  printf '[run]\nmodel = school\nseed = 5\n[school]\nn_fish = 20\nn_steps = 100000000\nsave_interval = 1000\nmetrics_every = 1000\n' > sig_base.ini
  printf '[sweep]\nbase = sig_base.ini\nname = sig\nreplicas = 3\n' > sig.ini
  "$ESUITE" sweep sig.ini --scheduler local --dir SIG --jobs 2 2> sig.err &
  sigpid=$!
  for i in $(seq 600); do
    [ "$(ls SIG/tasks/000[01]/out/.school.nc.part-* 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.1
  done
  expect_true local-signal-tasks-started test "$(ls SIG/tasks/000[01]/out/.school.nc.part-* 2>/dev/null | wc -l)" -ge 2
  sleep 0.5
  kill -TERM $sigpid
  t0=$SECONDS
  while kill -0 $sigpid 2>/dev/null && [ $((SECONDS - t0)) -lt 60 ]; do sleep 0.1; done
  stopped_in=$((SECONDS - t0))
  if kill -0 $sigpid 2>/dev/null; then kill -KILL $sigpid; fi  # its tasks get SIGTERM from the kernel
  wait $sigpid
  sigrc=$?
  expect_true "local-signal-exits-promptly (${stopped_in}s)" test $stopped_in -lt 60
  expect_num local-signal-rc $sigrc 1 0
  expect_true local-signal-message grep -qxF "esuite: error: sweep: stopped by signal 15 (1 of 3 tasks not started); rerun the same command to resume" sig.err
  for t in 0000 0001; do
    expect_true "local-signal-task-$t-interrupted" grep -q "^esuite: error: school: interrupted by signal 15 at step [0-9]* of 100000000 (checkpoint written)" SIG/logs/local-$t.log
    expect_true "local-signal-task-$t-checkpoint" test -f SIG/tasks/$t/out/checkpoint.esck
    expect_true "local-signal-task-$t-exit-3" grep -q '"exit_code": 3' SIG/tasks/$t/failed.json
  done
  expect_true local-signal-task-2-not-started test ! -e SIG/tasks/0002/out -a ! -e SIG/logs/local-0002.log
  "$ESUITE" sweep SIG --status > sig_status.txt
  expect_true local-signal-status-head grep -q "3 tasks: 0 complete, 2 failed, 1 pending, 0 corrupt" sig_status.txt
  expect_num local-signal-status-resumable "$(grep -c 'failed    exit code 3  log SIG/logs/local-000[01].log  (checkpoint: resumable)' sig_status.txt)" 2 0
  rm -rf SIG
  # the runner's line for each finished task counts them, with elapsed time and an ETA
  printf '[run]\nmodel = school\nseed = 5\n[school]\nn_fish = 20\nn_steps = 10\n' > eta_base.ini
  printf '[sweep]\nbase = eta_base.ini\nname = eta\nreplicas = 3\n' > eta.ini
  "$ESUITE" sweep eta.ini --scheduler local --dir ETA --jobs 1 2> eta.err
  expect_true "local runner: task lines count to 3 of 3 ($(cat eta.err))" \
    test "$(grep -cE '^esuite: sweep: task 000[0-2] complete \([1-3] of 3 finished, elapsed [0-9]+s, ETA [0-9]+s\)$' eta.err)" -eq 3
  expect_true "local runner: the last says ETA 0s" grep -q '(3 of 3 finished, elapsed [0-9]*s, ETA 0s)$' eta.err
  # A relative init_file is read from the working directory (as 'esuite run' reads it), and the
  # task configs hold it made absolute from there. Written from the base config's directory, a
  # rerun from another directory was refused as "a different sweep" with no word of why.
  mkdir -p RP/cfg; : > RP/cfg/seed.nc
  printf '[run]\nmodel = school\nseed = 5\n[school]\nn_fish = 20\nn_steps = 20\ninit = file\ninit_file = seed.nc\n' > RP/cfg/b.ini
  printf '[sweep]\nbase = b.ini\nname = rp\nvary school.noise = 0.1, 0.2\n' > RP/cfg/s.ini
  (cd RP/cfg && "$ESUITE" sweep s.ini --scheduler slurm --dir "$TMP/RPD" --quiet > /dev/null 2> "$TMP/rp.err")
  expect_num rel-path-written-rc $? 0 0
  expect_true rel-path-no-warning-there test ! -s rp.err
  expect_true rel-path-absolute grep -q "^init_file = $TMP/RP/cfg/seed.nc    ; set by the sweep" RPD/tasks/0001/config.ini
  expect_fail rel-path-other-cwd "RPD holds this sweep with school.init_file = $TMP/RP/cfg/seed.nc (RPD/tasks/0000/config.ini:36), but from the working directory $TMP the relative 'seed.nc' of the base config is $TMP/seed.nc (a relative path in a config is read from the working directory, not from the config's directory): run 'esuite sweep' from $TMP/RP/cfg, continue from the directory alone ('esuite sweep RPD --scheduler ...'), or give an absolute path" \
    "$ESUITE" sweep RP/cfg/s.ini --scheduler slurm --dir RPD --quiet
  expect_true rel-path-other-cwd-unchanged grep -q "^init_file = $TMP/RP/cfg/seed.nc " RPD/tasks/0000/config.ini
  "$ESUITE" sweep RPD --scheduler slurm --quiet > /dev/null 2>&1
  expect_num rel-path-dir-form-rc $? 0 0
  # planned from elsewhere, a path that exists only next to the base config is a warning at plan time
  "$ESUITE" sweep RP/cfg/s.ini --plan > /dev/null 2> rp_plan.err
  expect_num rel-path-plan-rc $? 0 0
  expect_true rel-path-plan-warning grep -qxF "esuite: warning: RP/cfg/s.ini: school.init_file = seed.nc is read from the working directory ($TMP/seed.nc does not exist), not from the base config's directory ($TMP/RP/cfg/seed.nc exists): run 'esuite sweep' from $TMP/RP/cfg, or give the path from here or an absolute one" rp_plan.err
  # --plan runs the model's checks on every task: r_o = 12 > r_a = 10 in task 1
  printf '[sweep]\nbase = ck_base.ini\nname = zones\nvary school.r_orientation = 3, 12\n' > zones.ini
  expect_fail plan-model-check "zones.ini:4: task 1 (school.r_orientation=12 replica 0): --set school.r_orientation=12: key 'school.r_orientation': zone radii must satisfy" \
    "$ESUITE" sweep zones.ini --plan
fi
# A sweep of replicas alone (no vary line): a task is "replica N", not "( replica N)"
printf '[sweep]\nbase = base.ini\nname = reps\nreplicas = 2\n' > reps.ini
"$ESUITE" sweep reps.ini --scheduler slurm --dir REPS --quiet > /dev/null 2>&1
mkdir -p REPS/tasks/0000/out
printf '{"P": 1.5, "provenance": {"seed": 100}}\n' > REPS/tasks/0000/out/summary.json
"$ESUITE" sweep "$TMP/REPS" --finish-task 0 --exit-code 0 --log x
"$ESUITE" collect REPS --output reps.nc 2> reps_collect.txt
expect_true replicas-only-collect-label grep -qxF "esuite: collect: task 0001 (replica 1) has no result yet" reps_collect.txt
"$ESUITE" sweep REPS --status > reps_status.txt
expect_true replicas-only-status-label grep -q "^  task 0001  pending .*  replica 1\$" reps_status.txt

# ESUITE_SCHEDULER_TIMEOUT (seconds given to sbatch/qsub/squeue/qstat) was read with strtol when a
# scheduler command ran: '10x' was 10 s, '1e9' 1 s, '', '0' and '-5' the default 120 s, without a word.
# A bad value is now refused naming the variable, before the sweep directory is written or sbatch runs.
mkdir -p tobin
printf '#!/bin/sh\ntouch %s/sbatch_called\necho 5151\n' "$TMP" > tobin/sbatch
printf '#!/bin/sh\nexit 0\n' > tobin/squeue
chmod +x tobin/sbatch tobin/squeue
to_msg="esuite: error: sweep: environment variable ESUITE_SCHEDULER_TIMEOUT:"
for v in '10x' '' '1e9' '5 5'; do
  PATH="$TMP/tobin:$PATH" ESUITE_SCHEDULER_TIMEOUT="$v" expect_rc "scheduler-timeout-submit '$v'" 2 \
    "$to_msg expected an integer, got '$v' (allowed range 1 .. 86400)" "$ESUITE" sweep s.ini --scheduler slurm --submit --dir TO
done
for v in '-5' '0' '86401'; do
  PATH="$TMP/tobin:$PATH" ESUITE_SCHEDULER_TIMEOUT="$v" expect_rc "scheduler-timeout-submit '$v'" 2 \
    "$to_msg value $v is out of range (allowed range 1 .. 86400)" "$ESUITE" sweep s.ini --scheduler slurm --submit --dir TO
done
expect_true scheduler-timeout-nothing-written-or-submitted test ! -e TO -a ! -e sbatch_called
ESUITE_SCHEDULER_TIMEOUT=10x expect_rc scheduler-timeout-local 2 \
  "$to_msg expected an integer, got '10x' (allowed range 1 .. 86400)" "$ESUITE" sweep s.ini --scheduler local --dir TL
expect_true scheduler-timeout-local-nothing-written test ! -e TL
# the modes that run no scheduler command do not read it; a valid value (blanks trimmed) submits
ESUITE_SCHEDULER_TIMEOUT=10x "$ESUITE" sweep s.ini --plan > /dev/null 2>&1
expect_num scheduler-timeout-plan-ignores $? 0 0
PATH="$TMP/tobin:$PATH" ESUITE_SCHEDULER_TIMEOUT=' 30 ' "$ESUITE" sweep s.ini --scheduler slurm --submit --dir TO > to.out 2>/dev/null
expect_true scheduler-timeout-valid-submits grep -qx 5151 to.out
expect_true scheduler-timeout-valid-recorded grep -q '"job_id": "5151"' TO/manifest.json

finish
