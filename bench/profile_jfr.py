"""Reads a JFR recording (through the JDK's `jfr print`) and aggregates where Postino spends its time:
CPU samples (jdk.ExecutionSample) by leaf method, leaf package and pipeline stage; threads waiting in
native code (jdk.NativeMethodSample); fsyncs (jdk.FileForce); lock contention (jdk.JavaMonitorEnter);
Errors thrown (jdk.JavaErrorThrow); allocation (jdk.ObjectAllocationSample).

    python3 bench/profile_jfr.py RECORDING.jfr    # prints the Markdown report
"""

import collections
import re
import subprocess
import sys
from pathlib import Path

from harness import BenchError

# The "stage" of a sample: the frame closest to the leaf that belongs to the server's own logic
# (a mailet/matcher, an SMTP/IMAP handler, the queue, the mailbox store, Postino's classes).
STAGE = re.compile(r"^(org\.postino\.[\w.$]+|org\.apache\.james\.(?:transport\.(?:mailets|matchers)|smtpserver|"
                   r"protocols\.smtp\.core|queue\.(?:jms|activemq|api)|mailbox\.(?:store|jpa)|mailetcontainer|"
                   r"imap\.processor|user\.jpa|domainlist|rrt)\.[\w.$]+)\.[\w$<>]+\(")
FRAME = re.compile(r"^\s+([\w.$<>]+(?:\([^)]*\))?)(?: line: \d+)?(?: bci: \d+)?\s*$")


def run_print(path, events, depth):
    result = subprocess.run(["jfr", "print", "--events", events, "--stack-depth", str(depth), str(path)],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BenchError(f"jfr print {events} failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def parse(text):
    """jfr print's text -> [{'type', fields..., 'frames': [method, ...] leaf first}]."""
    events = []
    current = None
    in_stack = False
    for line in text.splitlines():
        if not line.startswith(" ") and line.endswith("{"):
            current = {"type": line[:-1].strip(), "frames": []}
            events.append(current)
            in_stack = False
        elif current is None:
            continue
        elif line.strip() == "stackTrace = [":
            in_stack = True
        elif in_stack and line.strip() == "]":
            in_stack = False
        elif in_stack:
            stripped = line.strip()
            if stripped and stripped != "...":
                current["frames"].append(re.sub(r" line: \d+.*$", "", stripped))
        elif " = " in line:
            key, _, value = line.strip().partition(" = ")
            current[key] = value
    return events


def method_name(frame):
    return frame.split("(", 1)[0]


def package(frame, parts=3):
    name = method_name(frame)
    pieces = name.split(".")
    return ".".join(pieces[:min(parts, len(pieces) - 2)]) or name


def stage(frames):
    for frame in frames:
        match = STAGE.match(frame)
        if match:
            name = match.group(1)
            return name.rsplit(".", 1)[-1] if name.count(".") > 3 else name
    return "(none of the server's stages on the stack)"


def thread_group(value):
    name = value.split('"')[1] if '"' in value else value
    return re.sub(r"\d+", "N", name)


def duration_ms(value):
    number = re.match(r"([\d.]+)\s*(ns|us|ms|s)", value or "")
    if not number:
        return 0.0
    return float(number.group(1)) * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0}[number.group(2)]


def top(counter, n):
    total = sum(counter.values()) or 1
    return [{"name": k, "count": round(v, 1), "share": round(v / total, 3)} for k, v in counter.most_common(n)]


def analyse(path):
    path = Path(path)
    out = {"recording": str(path)}
    samples = parse(run_print(path, "jdk.ExecutionSample", 96))
    out["cpu_samples"] = len(samples)
    leaf, pkg, stages, threads, leaf_in_stage = (collections.Counter() for _ in range(5))
    for s in samples:
        frames = s["frames"]
        if not frames:
            continue
        leaf[method_name(frames[0])] += 1
        pkg[package(frames[0])] += 1
        st = stage(frames)
        stages[st] += 1
        threads[thread_group(s.get("sampledThread", "?"))] += 1
        leaf_in_stage[f"{st} → {package(frames[0])}"] += 1
    out["cpu_by_leaf_method"] = top(leaf, 20)
    out["cpu_by_leaf_package"] = top(pkg, 15)
    out["cpu_by_stage"] = top(stages, 15)
    out["cpu_by_stage_and_leaf_package"] = top(leaf_in_stage, 20)
    out["cpu_by_thread"] = top(threads, 12)

    native = parse(run_print(path, "jdk.NativeMethodSample", 96))
    nleaf, nstage = collections.Counter(), collections.Counter()
    idle = ("sun.nio.ch.EPoll.wait", "sun.nio.ch.Net.accept", "java.lang.Object.wait")
    native = [s for s in native if s["frames"] and not method_name(s["frames"][0]).startswith(idle)]
    for s in native:
        if s["frames"]:
            nleaf[f"{thread_group(s.get('sampledThread', '?'))}: {method_name(s['frames'][0])}"] += 1
            nstage[stage(s["frames"])] += 1
    out["native_samples"] = len(native)
    out["native_by_thread_and_method"] = top(nleaf, 12)
    out["native_by_stage"] = top(nstage, 10)

    forces = parse(run_print(path, "jdk.FileForce", 16))
    by_file, by_caller = collections.Counter(), collections.Counter()
    for f in forces:
        file = re.sub(r"\d+", "N", f.get("path", "?").strip('"').rsplit("/", 2)[-2] + "/" +
                      f.get("path", "?").strip('"').rsplit("/", 1)[-1])
        by_file[file] += duration_ms(f.get("duration"))
        caller = next((method_name(fr) for fr in f["frames"] if not fr.startswith(("sun.", "java."))), "?")
        by_caller[caller] += duration_ms(f.get("duration"))
    out["fsync_events"] = len(forces)
    out["fsync_ms_total"] = round(sum(by_file.values()), 1)
    out["fsync_ms_by_file"] = top(by_file, 8)
    out["fsync_ms_by_caller"] = top(by_caller, 8)

    monitors = parse(run_print(path, "jdk.JavaMonitorEnter", 64))
    by_monitor = collections.Counter()
    for m in monitors:
        cls = m.get("monitorClass", "?").split(" (")[0]
        by_monitor[f"{cls} in {stage(m['frames'])}"] += duration_ms(m.get("duration"))
    out["lock_wait_events"] = len(monitors)
    out["lock_wait_ms_by_monitor"] = top(by_monitor, 8)

    errors = parse(run_print(path, "jdk.JavaErrorThrow", 24))
    thrown = collections.Counter()
    for e in errors:
        thrown[f"{e.get('thrownClass', '?').split(' (')[0]} in {stage(e['frames'])}"] += 1
    out["errors_thrown"] = len(errors)
    out["errors_by_class"] = top(thrown, 8)

    allocations = parse(run_print(path, "jdk.ObjectAllocationSample", 64))
    weight = collections.Counter()
    for a in allocations:
        w = a.get("weight", "0")
        number = re.match(r"([\d.]+)\s*(bytes|kB|MB|GB)", w)
        mib = float(number.group(1)) * {"bytes": 1 / 2**20, "kB": 1 / 2**10, "MB": 1.0, "GB": 1024.0}[number.group(2)] \
            if number else 0.0
        weight[stage(a["frames"])] += mib
    out["allocation_mib_by_stage"] = top(weight, 10)
    summary = subprocess.run(["jfr", "summary", str(path)], capture_output=True, text=True, timeout=120)
    out["jfr_summary_head"] = summary.stdout.splitlines()[:12]
    return out


def table(rows, unit="samples"):
    lines = [f"| | {unit} | share |", "|---|---:|---:|"]
    lines += [f"| `{r['name']}` | {r['count']:g} | {100 * r['share']:.1f}% |" for r in rows]
    return lines


def markdown(p, name):
    lines = [f"# Postino inbound path — JFR profile ({name})", "",
             "Recorded with `jcmd <pid> JFR.start settings=profile duration=60s` during the 4 KiB fill (20 "
             "smtp-source sessions to 1,000 mailboxes), analysed by `bench/profile_jfr.py` (`jfr print`).", "",
             f"## CPU: {p['cpu_samples']} execution samples", "", "### by pipeline stage (closest server frame to the leaf)", ""]
    lines += table(p["cpu_by_stage"]) + ["", "### by leaf package", ""] + table(p["cpu_by_leaf_package"])
    lines += ["", "### by stage → leaf package", ""] + table(p["cpu_by_stage_and_leaf_package"])
    lines += ["", "### by leaf method", ""] + table(p["cpu_by_leaf_method"])
    lines += ["", "### by thread", ""] + table(p["cpu_by_thread"])
    lines += ["", f"## Threads in native code (I/O, fsync; idle epoll/accept waits left out): {p['native_samples']} samples", ""] + table(p["native_by_thread_and_method"])
    lines += ["", "### by stage", ""] + table(p["native_by_stage"])
    lines += ["", f"## fsync (jdk.FileForce over the recording threshold): {p['fsync_events']} events, "
              f"{p['fsync_ms_total']:.0f} ms in all", ""] + table(p["fsync_ms_by_file"], "ms")
    lines += ["", "### by caller", ""] + table(p["fsync_ms_by_caller"], "ms")
    lines += ["", f"## Lock contention (jdk.JavaMonitorEnter): {p['lock_wait_events']} events", ""]
    lines += table(p["lock_wait_ms_by_monitor"], "ms")
    lines += ["", f"## Errors thrown (jdk.JavaErrorThrow): {p['errors_thrown']}", ""] + table(p["errors_by_class"], "throws")
    lines += ["", "## Allocation (jdk.ObjectAllocationSample weight) by stage", ""]
    lines += table(p["allocation_mib_by_stage"], "MiB")
    lines += ["", "```", *p["jfr_summary_head"], "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(analyse(sys.argv[1]), Path(sys.argv[1]).name))
