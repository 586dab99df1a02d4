# Reads `strace -f -e trace=openat,fsync,close,rename` output; for every successful rename, checks
# that the source file was fsynced before it and the destination's directory after it.
# Prints "renames=N durable=M" and one line per rename that is not durable.
function dirname(p,  i) { i = match(p, /\/[^\/]*$/); return i ? (i == 1 ? "/" : substr(p, 1, i - 1)) : "." }
{
  pid = $1
  if (match($0, /openat\(AT_FDCWD, "[^"]*"/)) {
    path = substr($0, RSTART + 18, RLENGTH - 19)
    if (match($0, /= [0-9]+$/)) { fd = substr($0, RSTART + 2) + 0; open[pid, fd] = path }
  } else if (match($0, /fsync\([0-9]+\) += 0/)) {
    s = substr($0, RSTART + 6); fd = s + 0
    p = open[pid, fd]; synced[p] = 1
    if (p in want_dir) { delete want_dir[p]; durable++ }
  } else if (match($0, /rename\("[^"]*", "[^"]*"\) += 0/)) {
    split(substr($0, RSTART + 8), q, "\"")
    renames++
    if (!(q[1] in synced)) print "not flushed before rename: " q[1]
    else want_dir[dirname(q[3])] = q[3]
    delete synced[q[1]]
  }
}
END { for (d in want_dir) print "directory not flushed after rename: " want_dir[d]; printf "renames=%d durable=%d\n", renames, durable }
