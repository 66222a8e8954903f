#!/usr/bin/env bash
# Make the README's pictures of the console (assets/*.svg) from the real binary: it runs
# custdesk in tmux on a fresh demo database, types what an agent would, and turns each
# captured screen (colours included) into SVG with scripts/ansi2svg.py.
#
#   scripts/screenshots.sh              # builds the release binary first
#   BIN=target/debug/custdesk scripts/screenshots.sh
#
# Needs tmux and python3. The demo data is seeded the same every time; what differs from
# run to run is only the port, the correlation ids and how far the bulk progress got.
set -euo pipefail
cd "$(dirname "$0")/.."

COLS=${COLS:-120}
ROWS=${ROWS:-35}
PORT=${PORT:-18090}
OUT=${OUT:-assets}
if [[ -z "${BIN:-}" ]]; then
    cargo build --release --locked
    BIN=target/release/custdesk
fi
BIN=$(realpath "$BIN")
mkdir -p "$OUT"

WORK=$(mktemp -d)
SESSION="custdesk-shots-$$"
SANDBOX_PID=
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    [[ -n "$SANDBOX_PID" ]] && kill "$SANDBOX_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

export CUSTDESK_CONFIG_DIR="$WORK/config" CUSTDESK_DATA_DIR="$WORK/data"
unset NO_COLOR CUSTDESK_CLIENT_ID CUSTDESK_CLIENT_SECRET

keys() { tmux send-keys -t "$SESSION" "$@"; }
# Type text literally, a key at a time (the console answers each keystroke).
type_text() { tmux send-keys -t "$SESSION" -l "$1"; }
screen() { tmux capture-pane -t "$SESSION" -p; }
# Wait until the screen shows TEXT (and a moment more for the frame to settle), at most
# SECONDS (default 15).
wait_for() {
    local text=$1 limit=$((${2:-15} * 10)) tries=0
    until screen | grep -qF -- "$text"; do
        tries=$((tries + 1))
        if ((tries > limit)); then
            echo "screenshots: '$text' never appeared; the screen was:" >&2
            screen >&2
            exit 1
        fi
        sleep 0.1
    done
    sleep 0.4
}
shot() {
    tmux capture-pane -t "$SESSION" -e -p | python3 scripts/ansi2svg.py --cols "$COLS" --rows "$ROWS" >"$OUT/$1.svg"
    echo "wrote $OUT/$1.svg"
}
console() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    tmux new-session -d -s "$SESSION" -x "$COLS" -y "$ROWS" \
        "TERM=xterm-256color $BIN $* 2>$WORK/console.err; sleep 30"
}

# The first day: the embedded training sandbox, 5,000 demo customers.
console
wait_for "TRAINING SANDBOX"
wait_for "scopes]"
type_text "Mc"
wait_for "matches"
shot search

keys C-u
type_text "Quartermaine"
wait_for "Quartermaine, Ada"
keys Enter
wait_for "Reference"
shot customer

# Verify the caller (date of birth and postcode), then change the mobile number.
keys V
wait_for "Verify caller"
type_text "1984-03-09"
keys Enter
wait_for "matches"
type_text "SW1A 1AA"
keys Enter
wait_for "contact edits unlocked"
keys Escape
sleep 0.3
keys p
wait_for "Update phone"
type_text "07700900456"
wait_for "NewDay accepts"
shot contact-change
keys Escape
sleep 0.3
keys q
sleep 0.5

# Bulk: a slower backend (each answer delayed), so the progress can be seen.
"$BIN" sandbox --listen "127.0.0.1:$PORT" --db "$WORK/slow.db" --faults latency=300ms \
    >"$WORK/sandbox.out" 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 100); do
    grep -q "listening" "$WORK/sandbox.out" 2>/dev/null && break
    sleep 0.2
done
console --backend "http://127.0.0.1:$PORT"
wait_for "scopes]"
type_text "M"
wait_for "matches"
keys Escape
keys "*"
wait_for "marked in all"
keys M-b   # in the results list a plain letter types into the search
wait_for "Subscribe to an alert"
keys Tab
type_text "LOW_BALANCE"
keys Tab Tab
type_text "50"
keys Enter
wait_for "to change" 120
shot bulk-plan
keys Enter
# Over 100 changes the count is typed back first.
sleep 0.5
if screen | grep -qF "to apply it:"; then
    count=$(screen | grep -oE 'Type [0-9,]+ to apply' | grep -oE '[0-9,]+' | tr -d ,)
    type_text "$count"
    keys Enter
fi
wait_for "s left" 60
sleep 3
shot bulk-progress
