#!/usr/bin/env bash
# Fault scenarios (issue 3, item 3), Postino only (they check a property, not a ratio: no peer runs):
#   kill9      kill -9 of the JVM under load (10,000 x 4 KiB, 20 sessions, SIGKILL after 5,000 accepted
#              while the spool holds mail), restart on the same data, count by Message-ID over IMAP:
#              accepted, delivered, lost, duplicated, in flight
#   disk_full  the data directory on a 384 MiB tmpfs (minFreeSpace lowered to 32M in the instance's
#              smtpserver.xml), 100 KiB messages until 452 4.3.1, then every accepted one counted (if
#              some are missing: stop, tmpfs grown to twice the size, start, count again)
#   disk_full_shipped  the same with minFreeSpace as shipped (256M) on a 512 MiB tmpfs
#              (each disk scenario 3 times, a fresh instance each: what follows a full disk varies)
#
#   bench/faults.sh                  all three, ~12 min; bench/results/<YYYY-MM-DD>/faults.{json,md}
#   bench/faults.sh --only kill9     one module: fault_kill9 or fault_disk_full (both disk scenarios);
#                                    short names work
#   bench/faults.sh --smoke          CI: tiny N (200 messages; 96 MiB tmpfs, minFreeSpace 64M; one shared instance, no
#                                    disk_full_shipped); bench/target/faults-smoke/results/
#   Other options are passed to faults.py: --messages N --kill-after N --mailboxes N
#   --disk-size-mib N --min-free-mib N --shipped-disk-size-mib N --disk-runs N (default 3)
#
# The disk scenarios need root (mount -t tmpfs; without root they are skipped, and say so). Everything
# listens on 127.0.0.1 (free ports). Every process started is ended and the tmpfs unmounted on exit, also
# on Ctrl-C or a failure. Exits non-zero when an accepted message is lost or duplicated, the full disk
# is not refused with 452 4.3.1, or the disk fills up all the same.
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
        --messages|--kill-after|--mailboxes|--disk-size-mib|--min-free-mib|--shipped-disk-size-mib|--disk-runs)
            [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
            passthrough+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "faults.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
modules=
for name in ${only//,/ }; do
    case "$name" in fault_*) ;; *) name="fault_$name" ;; esac
    modules+="${modules:+,}$name"
done

if [ "$(id -u)" != 0 ]; then   # mount -t tmpfs needs root: the full-disk scenario cannot run
    case ",${modules:-fault_kill9,fault_disk_full}," in
        *,fault_disk_full,*) echo "faults.sh: not root: the disk scenarios are skipped (they mount a tmpfs)" >&2 ;;
    esac
    modules=$(echo ",${modules:-fault_kill9,fault_disk_full}," | sed 's/,fault_disk_full,/,/; s/^,//; s/,$//')
    [ -n "$modules" ] || exit 1
fi
if [ "$smoke" = 1 ]; then bench_init faults-smoke; else bench_init faults; fi
for tool in java python3 mount umount mountpoint; do
    command -v "$tool" >/dev/null || { bench_log "$tool not found"; exit 1; }
done

tarball=$(bench_postino_tarball)
args=(--tarball "$tarball" --work "$BENCH_WORK")
[ -z "$modules" ] || args+=(--only "$modules")
command_line="bench/faults.sh"
if [ "$smoke" = 1 ]; then
    args+=(--smoke --out "$BENCH_DIR/target/faults-smoke/results")
    command_line+=" --smoke"
else
    args+=(--out "$BENCH_DIR/results/$(date +%F)")
fi
[ -z "$only" ] || command_line+=" --only $only"
[ ${#passthrough[@]} -eq 0 ] || command_line+=" ${passthrough[*]}"
bench_python "$BENCH_DIR/faults.py" "${args[@]}" "${passthrough[@]}" --command "$command_line"
