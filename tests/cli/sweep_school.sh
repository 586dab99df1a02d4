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
finish
