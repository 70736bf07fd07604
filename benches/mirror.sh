#!/usr/bin/env bash
# The local mirror against its targets, by hand (not run in CI). Wall times, and the CPU time
# of convtui and of the server, which say more than wall times on a loaded machine:
#   - `convtui search` over N mirrored items, the whole process, median of RUNS runs, against
#     `grep -ci` (FTS5 folds case too) over the same items exported as JSON Lines: each run of
#     one followed by a run of the other, after one untimed run of each (page cache warm);
#   - `convtui sync` of an N-item conversation against `convtui items list --all` (as shipped,
#     writing the mirror too, and with `mirror = false`), median of 3 rounds;
#   - the list requests of an incremental sync after 10 new items;
#   - the mirror's size against the items' JSON size.
# Usage: benches/mirror.sh            (N=100000 RUNS=21 by default; needs python3)
#        BIN=path/to/convtui benches/mirror.sh   measures that binary instead of a fresh release
#                                                build (e.g. an older one, for before/after)
#        BEFORE=path/to/older/convtui benches/mirror.sh   also times that binary's searches and
#                                                its process floor, in the same runs
set -euo pipefail
N=${N:-100000}
RUNS=${RUNS:-21}
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=$PWD/target/release/convtui
fi
T=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$T"' EXIT
unset OPENAI_API_KEY OPENAI_BASE_URL OPENAI_ORG_ID OPENAI_PROJECT_ID CONVTUI_PROFILE
export CONVTUI_DATA_DIR=$T/data XDG_CONFIG_HOME=$T/config

"$BIN" serve --addr 127.0.0.1:0 --db "$T/server.sqlite3" >"$T/serve.out" 2>/dev/null &
SERVER=$!
for _ in $(seq 100); do [ -s "$T/serve.out" ] && break; sleep 0.05; done
URL=$(awk '{print $NF; exit}' "$T/serve.out")
printf '[profiles.plain]\nbase_url = "%s"\nmirror = false\n' "$URL" >"$T/plain.toml"
cv() { "$BIN" --base-url "$URL" "$@"; }

# N messages of 10 to 60 words from a 2,000-word vocabulary; "quixotic" in 10 of them.
python3 - "$N" >"$T/items.jsonl" <<'PY'
import json, random, sys
n = int(sys.argv[1]); rnd = random.Random(7)
vocab = ["w%d%s" % (i, rnd.choice("aeiou")) for i in range(2000)] + ["train", "Lisbon", "times", "station"]
for i in range(n):
    words = [rnd.choice(vocab) for _ in range(rnd.randint(10, 60))]
    if i % (n // 10) == 5:
        words.insert(3, "quixotic")
    role = "user" if i % 2 == 0 else "assistant"
    print(json.dumps({"role": role, "content": " ".join(words)}))
PY
CONV=$(cv conversations create --metadata title=bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "filling $CONV with $N items..." >&2
cv items create "$CONV" --file "$T/items.jsonl" >/dev/null
cv add "$CONV" >/dev/null

python3 - "$BIN" "$URL" "$CONV" "$T" "$RUNS" "$SERVER" "${BEFORE:-}" <<'PY'
import json, os, resource, shutil, statistics, subprocess, sys, time
bin, url, conv, t, runs, server, before = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7]
def cpu():
    """CPU seconds used so far by finished children and by the server."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"/proc/{server}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return ru.ru_utime + ru.ru_stime, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
last_cpu = (0.0, 0.0)
def timed(args, out=subprocess.DEVNULL, ok=(0,), env=None):
    global last_cpu
    before = cpu()
    start = time.perf_counter()
    done = subprocess.run(args, stdout=out, stderr=subprocess.PIPE, env=env)
    if done.returncode not in ok:
        sys.exit(f"{args}: exit {done.returncode}: {done.stderr.decode()}")
    elapsed = time.perf_counter() - start
    after = cpu()
    last_cpu = (after[0] - before[0], after[1] - before[1])
    return elapsed, done
def median(args, ok=(0,)):
    return statistics.median(timed(args, ok=ok)[0] for _ in range(runs))
def compare(commands, ok=(0, 1)):
    """Median wall time and mean CPU time of each command, in ms: one untimed run of each,
    then RUNS rounds running each once, so a change in the machine's load hits all alike."""
    # Output to a pipe, read to its end, not to /dev/null: GNU grep stops at the first match
    # when its output is /dev/null, so `grep -c` would not count.
    for args in commands:
        timed(args, out=subprocess.PIPE, ok=ok)
    walls, cpus = [[] for _ in commands], [[] for _ in commands]
    for _ in range(runs):
        for i, args in enumerate(commands):
            walls[i].append(timed(args, out=subprocess.PIPE, ok=ok)[0])
            cpus[i].append(last_cpu[0])
    return [(statistics.median(w) * 1000, statistics.mean(c) * 1000) for w, c in zip(walls, cpus)]
cv = [bin, "--base-url", url]
export = os.path.join(t, "export.jsonl")
# Three rounds of: the listing with `mirror = false` (it writes the export), the same listing
# as shipped, which writes what it reads into the mirror too (into an empty one, so that it
# writes all of it), and a sync into an empty mirror (the last round's is the one searched).
rounds = {"plain": [], "mirrored": [], "sync": []}
for i in range(3):
    with open(export, "w") as f:
        rounds["plain"].append((timed([bin, "--config", os.path.join(t, "plain.toml"), "--profile", "plain",
                                       "items", "list", conv, "--all"], out=f)[0], last_cpu))
    env = dict(os.environ, CONVTUI_DATA_DIR=os.path.join(t, "list"))
    with open(os.path.join(t, "list.jsonl"), "w") as f:
        rounds["mirrored"].append((timed(cv + ["items", "list", conv, "--all"], out=f, env=env)[0], last_cpu))
    env = None if i == 2 else dict(os.environ, CONVTUI_DATA_DIR=os.path.join(t, "sync"))
    sync_s, done = timed(cv + ["sync", conv], out=subprocess.PIPE, env=env)
    rounds["sync"].append((sync_s, last_cpu))
    for d in ["list", "sync"]:
        shutil.rmtree(os.path.join(t, d), ignore_errors=True)
def med(name):
    """Median wall time of a command's rounds, and the CPU times of that round."""
    return sorted(rounds[name])[1]
(list_s, list_cpu), (mirrored_s, mirrored_cpu), (sync_s, sync_cpu) = med("plain"), med("mirrored"), med("sync")
report = json.loads(done.stdout)
with open(export) as f:
    lines = sum(1 for _ in f)
print(f"export: {lines} items as JSON Lines, {os.path.getsize(export) / 1e6:.1f} MB")
floor = [[bin, "--version"], ["grep", "--version"]] + ([[before, "--version"]] if before else [])
floor = compare(floor, ok=(0,))
print(f"process floor: convtui --version {floor[0][0]:.1f} ms ({floor[0][1]:.1f} ms CPU), grep --version {floor[1][0]:.1f} ms ({floor[1][1]:.1f} ms CPU)"
      + (f"; before: {floor[2][0]:.1f} ms ({floor[2][1]:.1f} ms CPU)" if before else ""))
print(f"items: {report['new']} synced in {report['list_requests']} list requests")
print(f"sync: {sync_s:.2f} s; items list --all: {mirrored_s:.2f} s; ratio {sync_s / mirrored_s:.2f} (target <= 1.2)")
print(f"  items list --all with mirror = false: {list_s:.2f} s; sync's ratio to it {sync_s / list_s:.2f}")
print(f"CPU, convtui + server: sync {sync_cpu[0]:.2f} + {sync_cpu[1]:.2f} s; items list --all {mirrored_cpu[0]:.2f} + {mirrored_cpu[1]:.2f} s, "
      f"with mirror = false {list_cpu[0]:.2f} + {list_cpu[1]:.2f} s")
# grep in the C locale, its fastest (the items are ASCII, so it folds case as FTS5 does);
# convtui does not read the locale.
os.environ["LC_ALL"] = "C"
medians = []
for word in ["quixotic", "train", '"Lisbon train"', "w120*", "w12*", "w1*"]:
    hits = subprocess.run(cv + ["search", word, "--json"], capture_output=True, check=True).stdout.count(b"\n")
    pattern = word.strip('"').rstrip("*")
    grep = ["grep", "-ci", pattern, export]
    lines = subprocess.run(grep, capture_output=True).stdout.decode().strip()
    commands = [cv + ["search", word], grep] + ([[before, "--base-url", url, "search", word]] if before else [])
    r = compare(commands)
    medians.append((r[0][0], r[1][0]))
    print(f"search {word}: {r[0][0]:.1f} ms median, {r[0][1]:.1f} ms CPU ({hits} hits shown); "
          f"grep -ci: {r[1][0]:.1f} ms, {r[1][1]:.1f} ms CPU ({lines} lines)"
          + (f"; before: {r[2][0]:.1f} ms, {r[2][1]:.1f} ms CPU" if before else ""))
print(f"search, median of the queries' medians: {statistics.median(m[0] for m in medians):.1f} ms; "
      f"grep -ci: {statistics.median(m[1] for m in medians):.1f} ms (target: under 50 ms, and below grep)")
path = subprocess.run(cv + ["mirror", "path"], capture_output=True, text=True, check=True).stdout.strip()
size = sum(os.path.getsize(path + s) for s in ["", "-wal"] if os.path.exists(path + s))
items = os.path.getsize(export)
print(f"mirror: {size / 1e6:.1f} MB; items' JSON: {items / 1e6:.1f} MB; ratio {size / items:.2f} (target <= 2)")
with open(os.path.join(t, "ten.jsonl"), "w") as f:
    for i in range(10):
        print(json.dumps({"role": "user", "content": f"late message {i}"}), file=f)
subprocess.run(cv + ["items", "create", conv, "--file", os.path.join(t, "ten.jsonl")], stdout=subprocess.DEVNULL, check=True)
inc_s, done = timed(cv + ["sync"], out=subprocess.PIPE)
r = json.loads(done.stdout)
print(f"incremental sync after 10 new items: {r['new']} new, {r['list_requests']} list request(s), {inc_s * 1000:.0f} ms")
PY
