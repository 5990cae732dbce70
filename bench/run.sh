#!/usr/bin/env bash
# The comparison of issue 3, one command: Postino, the stock Apache James 3.8.1 memory app and
# Postfix (+Dovecot as its IMAP server), same machine, same invocation, same load generator
# (Postfix's smtp-source). Scenarios: inbound 4 KiB and 100 KiB (20 sessions, 1,000 mailboxes),
# end-to-end latency idle and under 50% open-loop load, inbound again after the mailboxes are
# filled to 20,000 messages, memory with 10,000 users x 1 message; a JFR profile of Postino's inbound.
#
#   bench/run.sh                 everything, ~20-25 min on 2 cores; bench/results/<YYYY-MM-DD>/
#                                comparison.{json,md,png} + profile-postino-inbound.{md,json}
#   bench/run.sh --rounds N      N alternating rounds of the 1,000-mailbox scenarios (default 2)
#   bench/run.sh --systems postino,postfix    a subset (postino, james-memory, postfix)
#   bench/run.sh --scenarios relay   only these scenario modules (inbound, latency, filled, memory,
#                                relay); results named after them: bench/results/<date>/relay.{json,md,png}
#                                (comparison.* is left alone)
#   bench/run.sh --smoke         CI: Postino only, tiny N, every scenario once (relay included) on one
#                                instance, then bench/faults.sh --smoke; ~2 minutes; results in
#                                bench/target/smoke-run/results/ and bench/target/faults-smoke/results/;
#                                non-zero exit on a failure
#   Other options are passed to suite.py: --messages-4k N --messages-100k N --probes N --warmup N
#   --fill-total N --fill-max-s S --memory-users N --memory-rounds N --relay-messages N
#
# Installs its peers from Debian (postfix, dovecot-imapd, python3-matplotlib; dnsmasq-base for the
# relay) if missing. Servers listen on 127.0.0.1 (free ports); the relay's sink MX (smtp-sink) on
# 127.0.0.60:25 and its DNS (dnsmasq) on 127.0.0.61:53. Every process started is ended on exit, also
# on Ctrl-C.
set -euo pipefail

source "$(cd "$(dirname "$0")" && pwd)/common.sh"

smoke=0
systems=postino,james-memory,postfix
scenarios=
passthrough=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke=1; shift ;;
        --systems) systems=$2; shift 2 ;;
        --systems=*) systems=${1#--systems=}; shift ;;
        --scenarios) scenarios=$2; shift 2 ;;
        --scenarios=*) scenarios=${1#--scenarios=}; shift ;;
        --rounds|--messages-4k|--messages-100k|--probes|--warmup|--fill-total|--fill-max-s|--memory-users|--memory-rounds|--relay-messages)
            [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
            passthrough+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

if [ "$smoke" = 1 ]; then bench_init smoke-run; else bench_init run; fi   # scratch: bench/target/<that>
for tool in java jcmd jstat jfr keytool python3; do
    command -v "$tool" >/dev/null || { bench_log "$tool not found (a JDK 17 and Python 3.11 are needed)"; exit 1; }
done

if [ "$smoke" = 1 ]; then
    # smtp-source is the load generator, smtp-sink and dnsmasq the relay's MX and DNS
    command -v smtp-source >/dev/null && command -v smtp-sink >/dev/null && command -v dnsmasq >/dev/null \
        || bench_install_peers
    tarball=$(bench_postino_tarball)
    bench_python "$BENCH_DIR/suite.py" --smoke --tarball "$tarball" --work "$BENCH_WORK" \
        --out "$BENCH_DIR/target/smoke-run/results" --command "bench/run.sh --smoke"
    # the fault scenarios (kill -9, full disk) at tiny N: their own script (root, a tmpfs)
    POSTINO_TARBALL="$tarball" "$BENCH_DIR/faults.sh" --smoke
    exit 0
fi

bench_install_peers
tarball=$(bench_postino_tarball)
args=(--tarball "$tarball" --work "$BENCH_WORK" --systems "$systems" --out "$BENCH_DIR/results/$(date +%F)")
case ",$systems," in *,james-memory,*) args+=(--james-lib "$(bench_james_lib)") ;; esac
[ -z "$scenarios" ] || args+=(--scenarios "$scenarios")
command_line="bench/run.sh"
[ "$systems" = postino,james-memory,postfix ] || command_line+=" --systems $systems"
[ -z "$scenarios" ] || command_line+=" --scenarios $scenarios"
[ ${#passthrough[@]} -eq 0 ] || command_line+=" ${passthrough[*]}"
bench_python "$BENCH_DIR/suite.py" "${args[@]}" "${passthrough[@]}" --command "$command_line"
