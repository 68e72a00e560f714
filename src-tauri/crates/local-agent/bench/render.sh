#!/usr/bin/env bash
# Benchmark: render time of a 30-second 720p video against its duration (target: ≥ 3× faster
# than real time on 2 cores). Starts a local agent with simulated waiting switched off, creates
# one job, and times it from create to `completed`, as a client sees it (planning, narration,
# both encodes, thumbnail). Usage: bench/render.sh [seconds] [landscape|portrait]
set -euo pipefail
SECS="${1:-30}"
ORIENT="${2:-landscape}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"
BIN="${LOCAL_AGENT_BIN:-}"
if [[ -z "$BIN" ]]; then
  TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p local-agent)
  BIN="$TARGET/release/local-agent"
fi
DATA="$(mktemp -d)"
OUT="$(mktemp)"
cleanup() { if [[ -n "${PID:-}" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$DATA" "$OUT"; }
trap cleanup EXIT
"$BIN" --data-dir "$DATA" --time-scale 1000000 >"$OUT" 2>/dev/null &
PID=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$OUT" && break; sleep 0.05; done
BASE="$(sed -n 's/^listening on //p' "$OUT" | head -1)"
H=(-H 'X-Api-Key: bench' -H 'Content-Type: application/json')
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# CPU seconds of the agent and its finished children (ffmpeg, espeak-ng), from /proc.
cpu() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / t }' "/proc/$PID/stat"; }
CPU0=$(cpu)
START=$(date +%s.%N)
SID=$(curl -sf "${H[@]}" -X POST "$BASE/v3/video-agents" -d "{\"orientation\":\"$ORIENT\",\"prompt\":\"Create a $SECS-second explainer about how solar panels work. Sunlight knocks electrons loose in silicon cells. An inverter turns direct current into alternating current. Panels last twenty-five years or more. Prices fell by ninety percent in a decade. Rooftop systems can power a whole home.\"}" | json 'd["data"]["session_id"]')
while :; do
  S=$(curl -sf "${H[@]}" "$BASE/v3/video-agents/$SID")
  ST=$(echo "$S" | json 'd["data"]["status"]')
  [[ "$ST" == completed ]] && break
  [[ "$ST" == failed ]] && { echo "render failed: $S" >&2; exit 1; }
  sleep 0.1
done
END=$(date +%s.%N)
CPU1=$(cpu)
VID=$(echo "$S" | json 'd["data"]["video_id"]')
URL=$(curl -sf "${H[@]}" "$BASE/v3/videos/$VID" | json 'd["data"]["video_url"]')
curl -sf -o "$DATA/bench.mp4" "$URL"
DUR=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$DATA/bench.mp4")
RES=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$DATA/bench.mp4")
LOAD=$(cut -d' ' -f1 /proc/loadavg)
python3 - "$START" "$END" "$DUR" "$RES" "$(nproc)" "$CPU0" "$CPU1" "$LOAD" <<'PY'
import sys
start, end, dur, res, cores = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
cpu, load = float(sys.argv[7]) - float(sys.argv[6]), float(sys.argv[8])
t = end - start
ratio = dur / t
print(f"video: {dur:.2f} s at {res} (H.264/AAC + captioned copy + thumbnail + SRT), {cores} cores, load average {load:.1f}")
print(f"render time: {t:.2f} s wall, {cpu:.2f} s CPU (agent + ffmpeg + espeak-ng)")
print(f"speed: {ratio:.2f}x real time (target >= 3x) -> {'PASS' if ratio >= 3 else 'BELOW TARGET'}")
if load > cores:
    print(f"note: the machine was busy; with {cores} idle cores the CPU time allows ~{dur / (cpu / cores):.1f}x")
PY
