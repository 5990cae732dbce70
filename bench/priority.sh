#!/usr/bin/env bash
# Priority and fairness (issue 5), Postino only: every figure is a ratio against the same server
# unloaded, measured in the same run on the same instance just before (no peer). Target: loaded p99
# within 2x of unloaded.
#   local     (a) local delivery latency (SMTP 250 -> visible over IMAP to bob) unloaded, then while
#             2,000 'Precedence: bulk' messages for a SLOW fake MX (127.0.0.70, 2 s per message) fill
#             the outgoing queue
#   deadhost  (b) latency to a HEALTHY fake MX (127.0.0.71; SMTP 250 -> arrival at the sink)
#             unloaded, then with 500 messages queued for a BLACKHOLE (127.0.0.72, never greets)
#
#   bench/priority.sh                 both, ~4-5 min on 2 idle cores (longer while other work runs: it waits,
#                                     and repeats a disturbed scenario); bench/results/<YYYY-MM-DD>/priority.{json,md}
#   bench/priority.sh --only local    one scenario module: prio_local or prio_deadhost (short names work)
#   bench/priority.sh --smoke         CI: tiny N (5 probes, 60 bulk, 20 dead), one shared instance,
#                                     under a minute; bench/target/priority-smoke/results/
#   Other options are passed to priority.py: --probes N --gap-ms N --bulk N --dead N --warmup N --repeats N
#
# The fake MXs are Python (bench/fakemx.py) on 127.0.0.70-72, one free port for all three; Postino
# listens on 127.0.0.1 (free ports). Every process started is ended on exit, also on Ctrl-C or a
# failure. Exits non-zero when a probe is never delivered, mail is refused or no backlog forms (the
# 2x target is reported, not enforced).
set -euo pipefail

source "$(cd "$(dirname "$0")" && pwd)/common.sh"

smoke=0
only=
passthrough=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=1; shift ;;
        --only) [ $# -ge 2 ] || { echo "--only needs a value" >&2; exit 2; }; only=$2; shift 2 ;;
        --only=*) only=${1#--only=}; shift ;;
        --probes|--gap-ms|--bulk|--dead|--warmup|--repeats)
            [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
            passthrough+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "priority.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
modules=
for name in ${only//,/ }; do
    case "$name" in prio_*) ;; *) name="prio_$name" ;; esac
    modules+="${modules:+,}$name"
done

if [ "$smoke" = 1 ]; then bench_init priority-smoke; else bench_init priority; fi
for tool in java python3 pgrep; do
    command -v "$tool" >/dev/null || { bench_log "$tool not found"; exit 1; }
done

tarball=$(bench_postino_tarball)
args=(--tarball "$tarball" --work "$BENCH_WORK")
[ -z "$modules" ] || args+=(--only "$modules")
command_line="bench/priority.sh"
if [ "$smoke" = 1 ]; then
    args+=(--smoke --out "$BENCH_DIR/target/priority-smoke/results")
    command_line+=" --smoke"
else
    args+=(--out "$BENCH_DIR/results/$(date +%F)")
fi
[ -z "$only" ] || command_line+=" --only $only"
[ ${#passthrough[@]} -eq 0 ] || command_line+=" ${passthrough[*]}"
bench_python "$BENCH_DIR/priority.py" "${args[@]}" "${passthrough[@]}" --command "$command_line"
