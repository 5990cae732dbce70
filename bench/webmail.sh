#!/usr/bin/env bash
# Webmail (issue 7), Postino only: time to first inbox render in headless Chromium (cold: a new browser context
# that signs in; warm: a reload of a signed-in one) and the latency of the JMAP requests the webmail makes to show
# the inbox and open a message, unloaded, then while the server takes open-loop inbound SMTP and several JMAP
# clients poll. Every figure is loaded / unloaded on the same instance in the same run (no peer).
#
#   bench/webmail.sh              20 users, 2,000 messages in the measured INBOX, 10 cold + 10 warm renders and
#                                 200 JMAP rounds per phase, load 20 msg/s (4 sessions) + 10 JMAP clients polling every 2 s:
#                                 bench/results/<YYYY-MM-DD>/webmail.{json,md}
#   bench/webmail.sh --smoke      tiny N (100 messages, 3 cold + 3 warm renders, 10 JMAP rounds, 3 users, load 10 msg/s), one instance, ~2 min;
#                                 bench/target/webmail-smoke/results/; non-zero exit on any failure
#   Other options are passed to webmail.py: --users N --messages N --cold N --warm N --iterations N
#     --warmup-iterations N --rate MSG_S --smtp-sessions N --bench-share N --pollers N --poll-interval S
#     --load-kib N --ramp-s S
#
# Chromium: Debian's /usr/bin/chromium (or $CHROMIUM) through npm playwright-core from webmail/node_modules (npm ci
# in webmail/ when it is missing; playwright-core never downloads a browser). Postino listens on 127.0.0.1 (free
# ports). Every process started is ended on exit, also on Ctrl-C or a failure.
set -euo pipefail

source "$(cd "$(dirname "$0")" && pwd)/common.sh"

smoke=0
passthrough=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=1; shift ;;
        --users|--messages|--cold|--warm|--iterations|--warmup-iterations|--rate|--smtp-sessions|--bench-share|\
        --pollers|--poll-interval|--load-kib|--ramp-s)
            [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
            passthrough+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "webmail.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

if [ "$smoke" = 1 ]; then bench_init webmail-smoke; else bench_init webmail; fi
for tool in java python3 node pgrep; do
    command -v "$tool" >/dev/null || { bench_log "$tool not found"; exit 1; }
done
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { bench_log "no Chromium at $chromium (apt-get install -y chromium, or set CHROMIUM)"; exit 1; }

playwright="$REPO_DIR/webmail/node_modules/playwright-core"
if [ ! -f "$playwright/index.mjs" ]; then
    bench_log "webmail/node_modules missing: npm ci in webmail/"
    (cd "$REPO_DIR/webmail" && npm ci --no-audit --no-fund) >&2
fi
[ -f "$playwright/index.mjs" ] || { bench_log "no $playwright/index.mjs after npm ci"; exit 1; }

tarball=$(bench_postino_tarball)
args=(--tarball "$tarball" --work "$BENCH_WORK" --playwright-core "$playwright")
command_line="bench/webmail.sh"
if [ "$smoke" = 1 ]; then
    args+=(--smoke --out "$BENCH_DIR/target/webmail-smoke/results")
    command_line+=" --smoke"
else
    args+=(--out "$BENCH_DIR/results/$(date +%F)")
fi
[ ${#passthrough[@]} -eq 0 ] || command_line+=" ${passthrough[*]}"
bench_python "$BENCH_DIR/webmail.py" "${args[@]}" "${passthrough[@]}" --command "$command_line"
