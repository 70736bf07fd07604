#!/usr/bin/env bash
# Whole-process figures at scale, measured in one run on one machine so that ratios compare:
# filling and listing a large conversation with the CLI and with the official Python SDK, page
# latency by cursor depth, peak memory of `items create`, and the terminal UI's first frame,
# load-all time, memory with everything loaded and idle CPU.
#
#   benches/figures.sh [ITEMS]        # ITEMS defaults to 100000; ROUNDS=3 rounds of listings
#
# Needs tmux, jq, python3 (the SDK is installed in its own venv under target/), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-100000}
# Rounds of the three listings (CLI, CLI without the mirror, SDK), run in turn; medians shown.
ROUNDS=${ROUNDS:-3}
ROOT=$PWD
BIN=$ROOT/target/release/convtui
VENV=$ROOT/target/bench-venv
WORK=$(mktemp -d)
SOCK=convtui-figures-$$
PORT=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$PORT/v1
export CONVTUI_DATA_DIR=$WORK/data
unset OPENAI_API_KEY OPENAI_BASE_URL CONVTUI_PROFILE
C=("$BIN" --profile local --base-url "$URL")

cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
peak_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

say "building the release binary…"
cargo build --release -q
if [ ! -x "$VENV/bin/python" ]; then
  say "installing the official openai SDK in $VENV…"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q openai
fi
SDK_VERSION=$("$VENV/bin/python" -c 'import openai; print(openai.__version__)')

"$BIN" serve --db "$WORK/serve.sqlite3" --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/serve.log" && break; sleep 0.1; done

say "writing $N items…"
python3 - "$N" >"$WORK/items.jsonl" <<'EOF'
import json, sys
n = int(sys.argv[1])
words = "the quick brown fox jumps over a lazy dog while trains leave lisbon at dawn".split()
for i in range(n):
    role = "user" if i % 2 == 0 else "assistant"
    text = " ".join(words[(i + k) % len(words)] for k in range(40)) + f" #{i}"
    print(json.dumps({"type": "message", "role": role,
                      "content": [{"type": "input_text" if role == "user" else "output_text",
                                   "text": text}]}))
EOF
FILE_MB=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1e6:.1f}')" "$WORK/items.jsonl")

CONV=$("${C[@]}" conversations create | jq -r .id)
/usr/bin/time -f "%e %M" -o "$WORK/create.time" "${C[@]}" items create "$CONV" --file "$WORK/items.jsonl" >/dev/null
read -r CREATE_S CREATE_KB <"$WORK/create.time"

say "listing with the CLI and with the SDK, $ROUNDS rounds…"
# The same listing without the local mirror (which the SDK has no counterpart of).
printf '[profiles.local]\nmirror = false\n' >"$WORK/no-mirror.toml"
CLI_RUNS=() CLI_NM_RUNS=() SDK_RUNS=()
for _ in $(seq "$ROUNDS"); do
  # Each round lists into an empty mirror, as the first listing of a conversation does.
  "${C[@]}" mirror clear >/dev/null
  T0=$(now)
  "${C[@]}" items list "$CONV" --all --order asc >"$WORK/all.jsonl"
  CLI_RUNS+=("$(elapsed "$T0" "$(now)")")
  T0=$(now)
  "$BIN" --config "$WORK/no-mirror.toml" --profile local --base-url "$URL" items list "$CONV" --all --order asc >"$WORK/all-no-mirror.jsonl"
  CLI_NM_RUNS+=("$(elapsed "$T0" "$(now)")")
  cmp -s "$WORK/all.jsonl" "$WORK/all-no-mirror.jsonl" || say "warning: the listings with and without the mirror differ"
  SDK_RUNS+=("$("$VENV/bin/python" - "$URL" "$CONV" <<'EOF'
import sys, time
from openai import OpenAI
client = OpenAI(api_key="unused", base_url=sys.argv[1], max_retries=0)
t = time.perf_counter()
n = sum(1 for _ in client.conversations.items.list(sys.argv[2], limit=100, order="asc"))
print(f"{time.perf_counter() - t:.3f}")
EOF
)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
CLI_S=$(median "${CLI_RUNS[@]}")
CLI_NM_S=$(median "${CLI_NM_RUNS[@]}")
SDK_S=$(median "${SDK_RUNS[@]}")
say "items list --all: ${CLI_RUNS[*]} s; mirror = false: ${CLI_NM_RUNS[*]} s; SDK: ${SDK_RUNS[*]} s"
JSON_BYTES=$(python3 - "$WORK/all.jsonl" <<'EOF'
import json, sys
print(sum(len(json.dumps(json.loads(l), separators=(",", ":")).encode()) for l in open(sys.argv[1])))
EOF
)
COUNT=$(wc -l <"$WORK/all.jsonl")

say "page latency by depth…"
DEPTHS=$(python3 - "$WORK/all.jsonl" "$URL" "$CONV" "$N" <<'EOF'
import http.client, json, statistics, sys, time, urllib.parse
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
url = urllib.parse.urlparse(sys.argv[2]); conv = sys.argv[3]; n = int(sys.argv[4])
conn = http.client.HTTPConnection(url.hostname, url.port)
out = []
for depth in (0, n // 2, max(n - 100, 0)):
    q = "limit=100&order=asc" + (f"&after={ids[depth - 1]}" if depth else "")
    times = []
    for _ in range(200):
        t = time.perf_counter()
        conn.request("GET", f"{url.path}/conversations/{conv}/items?{q}")
        r = conn.getresponse(); r.read()
        times.append(time.perf_counter() - t)
    out.append(f"{depth}:{statistics.median(times) * 1000:.3f}")
print(" ".join(out))
EOF
)

say "the terminal UI…"
"${C[@]}" add "$CONV" >/dev/null
T0=$(now)
tmux -L "$SOCK" new-session -d -x 120 -y 40 "${C[*]}"
TUI_PID=""
for _ in $(seq 500); do
  TUI_PID=$(pgrep -f -n "^$BIN --profile local --base-url $URL\$" || true)
  if [ -n "$TUI_PID" ] && tmux -L "$SOCK" capture-pane -p | grep -q "Conversations"; then break; fi
  sleep 0.01
done
FIRST_FRAME_S=$(elapsed "$T0" "$(now)")
sleep 1
tmux -L "$SOCK" send-keys o
sleep 0.2
tmux -L "$SOCK" send-keys -l "$CONV"
tmux -L "$SOCK" send-keys Enter
for _ in $(seq 300); do tmux -L "$SOCK" capture-pane -p | grep -q "100 loaded" && break; sleep 0.05; done
T0=$(now)
tmux -L "$SOCK" send-keys L
for _ in $(seq 12000); do
  tmux -L "$SOCK" capture-pane -p | grep -q "All $COUNT items loaded" && break
  sleep 0.02
done
TUI_LOAD_S=$(elapsed "$T0" "$(now)")
sleep 1
TUI_RSS_KB=$(rss_kb "$TUI_PID")
TICKS0=$(cpu_ticks "$TUI_PID")
sleep 10
TICKS1=$(cpu_ticks "$TUI_PID")
HZ=$(getconf CLK_TCK)
IDLE_CPU_S=$(python3 -c "print(f'{($TICKS1 - $TICKS0) / $HZ:.2f}')")
tmux -L "$SOCK" send-keys q

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$1" "$2"; }
read -r D0 D1 D2 <<<"$DEPTHS"
P0=${D0#*:}; P1=${D1#*:}; P2=${D2#*:}
cat <<EOF

convtui figures, $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m)), $COUNT items, $(python3 -c "print(f'{$JSON_BYTES/1e6:.1f}')") MB of item JSON
| figure | value | ratio |
|---|---|---|
| 100-item page after 0 items | ${P0} ms | |
| 100-item page after ${D1%%:*} items | ${P1} ms | $(ratio "$P1" "$P0")× the first page |
| 100-item page after ${D2%%:*} items | ${P2} ms | $(ratio "$P2" "$P0")× the first page |
| \`items list --all\` (median of $ROUNDS, each into an empty mirror) | ${CLI_S} s | $(ratio "$CLI_S" "$SDK_S")× the SDK |
| \`items list --all\`, \`mirror = false\` | ${CLI_NM_S} s | $(ratio "$CLI_NM_S" "$SDK_S")× the SDK |
| openai $SDK_VERSION auto-paging | ${SDK_S} s | |
| TUI: load all (\`L\`) | ${TUI_LOAD_S} s | $(ratio "$TUI_LOAD_S" "$CLI_S")× \`items list --all\` |
| TUI: RSS with all loaded | $((TUI_RSS_KB / 1024)) MB | $(ratio "$((TUI_RSS_KB * 1024))" "$JSON_BYTES")× the JSON |
| \`items create\` of a ${FILE_MB} MB file | ${CREATE_S} s, peak RSS $((CREATE_KB / 1024)) MB | |
| TUI: first frame | ${FIRST_FRAME_S} s | |
| TUI: idle CPU over 10 s | ${IDLE_CPU_S} s | |
EOF
