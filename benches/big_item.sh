#!/usr/bin/env bash
# The terminal UI on one huge item: a 10 MB message created through the API, opened in the
# detail pane of the release binary in tmux. Measures the time to open it, each PgDn from the
# key to the changed screen (as tmux sees it) and inside the program (key to frame drawn, from
# its log), ten PgDn then `q` sent at once until the program has exited, and peak RSS
# (VmHWM) against the item's size. Targets: every key under 20 ms, RSS under 10x the item.
#
#   benches/big_item.sh [MB]          # MB defaults to 10
#
# Runs twice: a text in paragraphs, and one line with no newline at all. MIRROR=false runs
# with the local mirror off (it is on by default, as for users).
# Needs tmux, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

MB=${1:-10}
ROOT=$PWD
BIN=$ROOT/target/release/convtui
WORK=$(mktemp -d)
SOCK=convtui-big-$$
PORT=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$PORT/v1
unset OPENAI_API_KEY OPENAI_BASE_URL CONVTUI_PROFILE
printf '[profiles.local]\nmirror = %s\n' "${MIRROR:-true}" >"$WORK/config.toml"

cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
ms() { python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000:.0f}')" "$1" "$2"; }
screen() { tmux -L "$SOCK" capture-pane -p 2>/dev/null || true; }
alive() { tmux -L "$SOCK" has-session 2>/dev/null; }

say "building the release binary…"
cargo build --release -q --bin convtui

"$BIN" serve --memory --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/serve.log" && break; sleep 0.1; done

run() {
  local shape=$1
  local data=$WORK/data-$shape
  mkdir -p "$data"
  python3 - "$MB" "$shape" >"$WORK/item.json" <<'EOF'
import json, sys
mb, shape = float(sys.argv[1]), sys.argv[2]
words = "the quick brown fox jumps over a lazy dog while trains leave lisbon at dawn".split()
size = int(mb * 1_000_000)
parts, n, i = ["BIGSTART"], 8, 0
while n < size:
    w = f"{words[i % len(words)]}{i}"  # every row of the text differs
    sep = "\n\n" if shape == "paragraphs" and i % 90 == 89 else " "
    parts.append(sep + w)
    n += len(w) + len(sep)
    i += 1
text = "".join(parts)
print(json.dumps({"items": [{"type": "message", "role": "user",
                             "content": [{"type": "input_text", "text": text}]}]}))
EOF
  local bytes
  bytes=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['items'][0]['content'][0]['text'].encode()))" "$WORK/item.json")
  local conv
  conv=$(curl -sf -X POST "$URL/conversations" -H 'content-type: application/json' \
    -d "{\"metadata\":{\"title\":\"Big $shape\"}}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -sf -X POST "$URL/conversations/$conv/items" -H 'content-type: application/json' \
    --data-binary @"$WORK/item.json" >/dev/null

  tmux -L "$SOCK" new-session -d -x 120 -y 40 \
    "env CONVTUI_DATA_DIR=$data CONVTUI_LOG=convtui::frame=debug $BIN --config $WORK/config.toml --profile local --base-url $URL"
  local pid=""
  for _ in $(seq 500); do
    pid=$(pgrep -f -n "^$BIN --config $WORK/config.toml --profile local --base-url $URL\$" || true)
    if [ -n "$pid" ] && screen | grep -q "Big $shape"; then break; fi
    sleep 0.02
  done
  # The newest conversation is at the top and selected: open it (the page with the item
  # arrives and the detail pane renders it), then focus the item.
  local t0 open_ms
  t0=$(now)
  tmux -L "$SOCK" send-keys Enter
  for _ in $(seq 3000); do screen | grep -q "message · user" && break; sleep 0.005; done
  open_ms=$(ms "$t0" "$(now)")
  tmux -L "$SOCK" send-keys Enter
  sleep 0.5
  local start_line
  start_line=$(wc -l <"$data/convtui.log")

  # Ten PgDn one at a time: from the key to the screen changing, as tmux shows it.
  local per_key=()
  for _ in $(seq 10); do
    local before after
    before=$(screen)
    t0=$(now)
    tmux -L "$SOCK" send-keys PageDown
    for _ in $(seq 2000); do
      after=$(screen)
      [ "$after" != "$before" ] && break
      sleep 0.001
    done
    per_key+=("$(ms "$t0" "$(now)")")
    sleep 0.1
  done
  local hwm_kb
  hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

  # Ten PgDn then q at once: until the program has exited.
  t0=$(now)
  tmux -L "$SOCK" send-keys PageDown PageDown PageDown PageDown PageDown PageDown PageDown PageDown PageDown PageDown q
  for _ in $(seq 20000); do alive || break; sleep 0.002; done
  local quit_ms
  quit_ms=$(ms "$t0" "$(now)")
  # The program's own key-to-frame times for the single keys (the first ten logged).
  local inside
  inside=$(tail -n +"$((start_line + 1))" "$data/convtui.log" | grep -o 'micros=[0-9]*' | head -10 |
    cut -d= -f2 | python3 -c 'import sys; v=[int(x)/1000 for x in sys.stdin]; print(f"{max(v):.2f} {sorted(v)[len(v)//2]:.2f}" if v else "- -")')
  local inside_max inside_median
  read -r inside_max inside_median <<<"$inside"
  local tmux_max
  tmux_max=$(printf '%s\n' "${per_key[@]}" | sort -n | tail -1)
  printf '| %s, %s MB | %s ms | %s ms (each: %s) | %s ms max, %s ms median | %s ms | %s MB (%sx) |\n' \
    "$shape" "$(python3 -c "print(f'{$bytes/1e6:.1f}')")" "$open_ms" "$tmux_max" "${per_key[*]}" \
    "$inside_max" "$inside_median" "$quit_ms" "$(python3 -c "print(f'{$hwm_kb * 1024 / 1e6:.1f}')")" \
    "$(python3 -c "print(f'{$hwm_kb * 1024 / $bytes:.2f}')")"
}

echo
echo "convtui big item, $(date -u +%Y-%m-%d) on $(nproc) cores ($(uname -m)), release build, 120x40, mirror ${MIRROR:-true}"
echo "| item | open (Enter to the item drawn) | PgDn, key to screen (tmux) | PgDn, key to frame (in the program) | ten PgDn + q to exit | peak RSS (x the text) |"
echo "|---|---|---|---|---|---|"
run paragraphs
run one-line
