#!/usr/bin/env bash
# Start-up benchmark: time from `bin/postino start` to ready and to the SMTP 220 banner, and memory
# after start with 1 domain + 10 users (heap live set after a full GC, RSS), for Postino and, as the
# peer measured in the same invocation, the stock Apache James 3.8.1 memory app.
#
#   bench/startup.sh [--runs N]    N runs of each system (default 3), results in
#                                  bench/results/<YYYY-MM-DD>/startup.{json,md}
#   bench/startup.sh --smoke       one run, Postino only, < 1 minute; exits non-zero if Postino does
#                                  not start, answer or take users. Results in bench/target/smoke/.
#   bench/startup.sh --no-peer     Postino only (no ratios)
#
# Everything listens on 127.0.0.1 (free ports). Every process started is ended on exit.
set -euo pipefail

source "$(cd "$(dirname "$0")" && pwd)/common.sh"

runs=3
smoke=0
peer=1
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) [ $# -ge 2 ] || { echo "--runs needs a number" >&2; exit 2; }; runs=$2; shift 2 ;;
        --runs=*) runs=${1#--runs=}; shift ;;
        --smoke) smoke=1; shift ;;
        --no-peer) peer=0; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "startup.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
case "$runs" in ''|*[!0-9]*|0) echo "--runs needs a positive number" >&2; exit 2 ;; esac

bench_init startup
for tool in java jcmd jstat keytool python3; do
    command -v "$tool" >/dev/null || { bench_log "$tool not found (a JDK 17 and Python 3.11 are needed)"; exit 1; }
done

tarball=$(bench_postino_tarball)
args=(--tarball "$tarball" --work "$BENCH_WORK")
if [ "$smoke" = 1 ]; then
    args+=(--smoke --out "$BENCH_DIR/target/smoke" --command "bench/startup.sh --smoke")
else
    command_line="bench/startup.sh --runs $runs"
    [ "$peer" = 1 ] || command_line+=" --no-peer"
    args+=(--runs "$runs" --out "$BENCH_DIR/results/$(date +%F)" --command "$command_line")
    if [ "$peer" = 1 ]; then args+=(--james-lib "$(bench_james_lib)"); fi
fi

bench_python "$BENCH_DIR/startup.py" "${args[@]}"
