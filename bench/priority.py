"""Priority and fairness scenarios (issue 5), Postino only: how much a remote backlog or a dead
destination slows the mail that should not wait for it. Run through bench/priority.sh.

Every figure is a ratio against the same server unloaded, measured in the same run on the same
instance just before (no peer: the question is what the load does to this server, not how it
compares). The issue's target: loaded p99 within 2x of unloaded.

A scenario is one small module (prio_local.py, prio_deadhost.py) exporting SCENARIOS: objects with
name, title, run(ctx) -> record and markdown(record) -> [(row, value)]; a record's "failures"
(sentences) make the run exit non-zero (a probe never delivered, mail refused, no backlog formed);
the 2x target itself is reported, not enforced. Add a module: add its name to PRIO_MODULES.

Each instance: Postino from the tarball (harness.Postino via systems.make), listeners on 127.0.0.1
(free ports), users alice@example.com (sender, logs in on the submission listener) and
bob@example.com (local recipient); DeliverRemotely gets <port>P</port> and the parameters of
prio_common.DELIVERY_PARAMETERS; three fake MXs (fakemx.py) on 127.0.0.70-72, port P.
"""

import argparse
import importlib
import re
import shutil
import time
from pathlib import Path

import fakemx
import harness
import prio_common as pc
import systems
from harness import BenchError, Postino, log

PRIO_MODULES = ["prio_local", "prio_deadhost"]


class Context:
    """Parameters, and the instances: server(name) gives a started, provisioned, warmed-up instance
    with its fake MXs; done(instance) stops it. A smoke run shares one instance between the
    scenarios (one start less: CI time) and empties its outgoing queue between them."""

    def __init__(self, args, dist):
        smoke = args.smoke
        self.smoke = smoke
        self.work = args.work
        self.dist = dist
        self.probes = 5 if smoke else args.probes
        self.gap_s = 0.1 if smoke else args.gap_ms / 1000
        self.probe_timeout_s = 30.0
        self.bulk = 60 if smoke else args.bulk
        self.dead = 20 if smoke else args.dead
        self.sessions = 4  # submission sessions for the bulk and dead-host mail (PriorityRoutingIT: 4)
        self.warmup = 10 if smoke else args.warmup
        self.warmup_probes = 0 if smoke else args.probes
        self.repeats = args.repeats
        self.slow_delay_s = 2.0
        self.backlog_timeout_s = 60 if smoke else 300
        self.quiet_max_wait_s = 30
        self.shared = None

    def wait_quiet(self):
        """harness.wait_for_quiet (all CPUs below 25% busy for 3 s in a row), at most quiet_max_wait_s.
        Not in a smoke run (CI time; its figures mean nothing anyway)."""
        if self.smoke:
            return None
        waited, busy, quiet = harness.wait_for_quiet(max_wait=self.quiet_max_wait_s)
        return {"waited_s": round(waited, 1), "busy_share": round(busy, 3), "quiet": quiet}

    def server(self, name):
        if self.smoke and self.shared:
            self.shared.record["shared_with"] = self.shared.record.get("shared_with", []) + [name]
            return self.shared
        folder, n = ("shared" if self.smoke else name), 1
        while (self.work / folder).exists():  # a repeat: a fresh home, the disturbed one kept for its log
            n += 1
            folder = f"{name}-{n}"
        instance = Instance(self, folder)
        if self.smoke:
            self.shared = instance
        try:
            instance.start()
        except BaseException:
            instance.stop()
            raise
        return instance

    def done(self, instance):
        if instance is self.shared:
            if instance.outgoing.dirty:  # a scenario that failed before emptying it
                instance.record.setdefault("outgoing_cleared", []).append(instance.outgoing.clear())
        else:
            instance.stop()

    def close(self):
        if self.shared:
            self.shared.stop()


class Instance:
    def __init__(self, ctx, name):
        self.ctx = ctx
        self.work = ctx.work / name
        self.system = systems.make("postino", self.work, ctx.dist, None, None)
        self.outgoing = pc.Outgoing(self.system)
        self.mxs = fakemx.FakeMxs()
        self.port = None
        self.slow = self.healthy = self.blackhole = None
        self.stopped = False
        self.record = {"home": str(self.work), "log": str(self.work / "log" / "postino.log")}

    @property
    def submission_port(self):
        return self.system.inner.listeners["submission"]

    @property
    def imap_port(self):
        return self.system.inner.listeners["imap"]

    def start(self):
        ctx, system = self.ctx, self.system
        system.prepare()
        # after the instance has its ports, so that P is none of them (as PriorityRoutingIT does)
        self.port = fakemx.free_common_port([pc.SLOW_IP, pc.HEALTHY_IP, pc.BLACKHOLE_IP])
        self.record["delivery_parameters"] = configure_delivery(self.work / "conf" / "mailetcontainer.xml",
                                                                {"port": str(self.port), **pc.DELIVERY_PARAMETERS})
        self.slow = self.mxs.add("slow", pc.SLOW_IP, self.port, "sink", ctx.slow_delay_s)
        self.healthy = self.mxs.add("healthy", pc.HEALTHY_IP, self.port, "sink")
        self.blackhole = self.mxs.add("blackhole", pc.BLACKHOLE_IP, self.port, "blackhole")
        self.mxs.start()
        self.record["quiet_before_start"] = ctx.wait_quiet()
        self.record["start"] = system.start(180)
        self.record["provisioning_s"] = round(system.provision(pc.DOMAIN, [(pc.ALICE, pc.PASSWORD),
                                                                           (pc.BOB, pc.PASSWORD)]), 2)
        self.record["listening"] = system.check_loopback_only()
        self.record["warmup"] = self.warm_up(ctx.warmup)

    def warm_up(self, count):
        """count unmeasured messages through both measured paths (half to bob, half to the healthy sink),
        4 sessions, then until they are all delivered: the JIT's first compilations stay out of the
        unloaded figures (which would otherwise flatter the ratios)."""
        if not count:
            return None
        tag = "warmup"
        local = (count + 1) // 2
        remote = count - local
        started = time.monotonic()
        sent = pc.submit_many(self.submission_port, count, self.ctx.sessions,
                              lambda i: pc.BOB if i % 2 == 0 else f"friend@{self.healthy.domain}", tag)
        if sent["accepted"] != count:
            raise BenchError(f"warm-up: {sent['accepted']} of {count} accepted: {sent['errors']}")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.healthy.count() >= remote and self.system.message_count(pc.BOB) >= local \
                    and self.system.queue_size() == 0:
                break
            time.sleep(0.2)
        else:
            raise BenchError(f"warm-up not delivered in 120 s: healthy sink {self.healthy.count()}/{remote}, "
                             f"bob {self.system.message_count(pc.BOB)}/{local}\n{self.system.log_tail()}")
        return {"messages": count, "to_bob": local, "to_healthy_sink": remote,
                "seconds": round(time.monotonic() - started, 1)}

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        stop_at = time.strftime("%Y-%m-%d %H:%M:%S") + ".000"
        try:
            self.record["stop_s"] = self.system.stop()
        finally:
            self.mxs.stop()
            self.record["fake_mxs"] = {mx.name: mx.record() for mx in self.mxs.mxs}
            self.record["log_findings"] = pc.log_findings(self.system, stop_at)


def configure_delivery(path, parameters):
    """Sets each parameter of the DeliverRemotely mailet (its element replaced, or added first in the
    mailet when absent), as PriorityRoutingIT's Distribution.configureDelivery does. Returns them."""
    text = path.read_text(encoding="utf-8")
    block = re.search(r'<mailet match="All" class="org\.postino\.mailets\.DeliverRemotely">(.*?)</mailet>', text, re.S)
    if not block:
        raise BenchError(f"{path}: no DeliverRemotely mailet")
    inner = block.group(1)
    for name, value in parameters.items():
        element = f"<{name}>{value}</{name}>"
        inner, replaced = re.subn(rf"<{name}>[^<]*</{name}>", element, inner)
        if not replaced:
            inner = f"\n                {element}" + inner
    path.write_text(text[:block.start(1)] + inner + text[block.end(1):], encoding="utf-8")
    return dict(parameters)


# ---------------------------------------------------------------------------------------------
# report

fmt = harness.fmt


def markdown(data):
    facts = data["machine"]
    lines = [f"# Priority and fairness (Postino) — {data['date']}", "",
             f"`{data['command']}` — {data['elapsed_s'] / 60:.1f} min. Postino only: every ratio is the same server "
             "loaded ÷ unloaded, both measured in this run on the same instance (unloaded first). The issue's "
             "target: loaded p99 within 2× of unloaded.", "",
             "| scenario | probes (n) | unloaded p50 | unloaded p99 | loaded p50 | loaded p99 | p50 ratio | p99 ratio "
             "| max ratio | p99 within 2× | p99 ratio vs unloaded again |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|"]
    for name, record in data["scenarios"].items():
        u, l, r = record.get("unloaded", {}).get("stats", {}), record.get("loaded", {}).get("stats", {}), \
            record.get("ratios", {})
        again = record.get("ratios_vs_unloaded_after", {})
        lines.append(f"| {data['titles'][name]} | {u.get('n', '–')} / {l.get('n', '–')} | {fmt(u.get('p50_ms'), unit=' ms')} "
                     f"| {fmt(u.get('p99_ms'), unit=' ms')} | {fmt(l.get('p50_ms'), unit=' ms')} "
                     f"| {fmt(l.get('p99_ms'), unit=' ms')} | {fmt(r.get('p50'), 2)} | {fmt(r.get('p99'), 2)} "
                     f"| {fmt(r.get('max'), 2)} | {'yes' if r.get('p99_within_2x') else 'no' if r else '–'} "
                     f"| {fmt(again.get('p99'), 2)} |")
    lines.append("")
    lines.append("Ratios = loaded ÷ unloaded (measured first, as the issue asks). 'Unloaded again' = the same probes "
                 "once more after the loaded ones, with the outgoing queue emptied: the JVM has warmed up further by "
                 "then, so a large gap between the two unloaded phases means warm-up, not load, moved the ratio.")
    lines.append("")
    for name, record in data["scenarios"].items():
        share = pc.disturbance(record)
        if share is not None and share > pc.DISTURBED_SHARE:
            lines.append(f"- {data['titles'][name]}: other work on the machine took up to {share:.0%} of a CPU in a "
                         "phase of the run reported (after the repeats allowed): its figures are disturbed.")
        if record.get("disturbed_runs"):
            lines.append(f"- {data['titles'][name]}: {len(record['disturbed_runs'])} earlier run(s) discarded as "
                         "disturbed by other work (over 30% of a CPU in a phase; kept in the JSON).")
        waited = record.get("waited_for_other_benchmarks") or {}
        if waited.get("overlapping"):
            lines.append(f"- {data['titles'][name]}: started while other benchmarks still ran "
                         f"(after {waited['waited_s']} s of waiting): {'; '.join(o[:100] for o in waited['overlapping'])}")
    if lines[-1]:
        lines.append("")
    for name, record in data["scenarios"].items():
        verdict = "FAILED" if record["failures"] else "ran"
        lines += [f"## {data['titles'][name]} ({name}): {verdict}", "", "| | |", "|---|---:|"]
        lines += [f"| {row} | {value} |" for row, value in record["markdown"]]
        lines.append("")
        if record["failures"]:
            lines += [f"- FAILED: {f}" for f in record["failures"]] + [""]
        if record.get("notices"):
            lines += [f"- Note: {n}" for n in record["notices"]] + [""]
        findings = (record.get("instance") or {}).get("log_findings") or {}
        if "error_lines" in findings:
            lines += [f"Server log (`{findings['log']}`): {findings['error_lines']} ERROR and {findings['warn_lines']} "
                      f"WARN line(s) while running; {findings['error_lines_during_shutdown']} ERROR and "
                      f"{findings['warn_lines_during_shutdown']} WARN line(s) once the stop was asked for.", ""]
        for key, title in (("first_errors", "while running"), ("first_errors_during_shutdown", "during shutdown")):
            if findings.get(key):
                lines += [f"First ERROR lines {title}:", "", "```"] + findings[key][:5] + ["```", ""]
    p = data["parameters"]
    lines += ["## Set-up", "",
              f"- Postino from its tarball (`{' '.join(harness.SERVER_JVM_OPTS)}`), a fresh POSTINO_HOME per scenario"
              + (" (smoke: one instance for both, its outgoing queue emptied in between)" if data["smoke"] else "")
              + ", listeners on 127.0.0.1 (free ports); users alice@example.com (sender) and bob@example.com (local). "
              "Every message is submitted on the submission listener (STARTTLS, certificate not verified, AUTH PLAIN "
              "as alice, MAIL FROM alice), 4 KiB body, its own Message-ID: so the probes are high priority "
              "(`level.authenticated`), the bulk mail low (`Precedence: bulk`).",
              "- DeliverRemotely (relay processor): " + ", ".join(f"`{k}` {v}" for k, v in data["delivery_parameters"].items())
              + " (retryJitter and lifetime as PriorityRoutingIT sets them); the rest as shipped (50 delivery threads, "
              "destinationConcurrency 20 starting at 5, deadDestinationFailures 5, deadDestinationBackoff 5m).",
              f"- Fake MXs (bench/fakemx.py, Python asyncio in the harness process), one port for all: SLOW sink "
              f"{pc.SLOW_IP} (waits {p['slow_delay_s']:.0f} s before its reply to the end of DATA), HEALTHY sink "
              f"{pc.HEALTHY_IP} (answers at once), BLACKHOLE {pc.BLACKHOLE_IP} (takes the connection, never says a "
              "word). They record each message's arrival (end of DATA) by Message-ID, and count connections.",
              f"- Probes one at a time, {p['gap_s'] * 1000:.0f} ms apart (from one being seen to the next one sent), "
              f"over one persistent submission session; a probe not seen within {p['probe_timeout_s']:.0f} s counts "
              "as not delivered. Local: SMTP 250 after DATA → `* N EXISTS` in the answer to a NOOP sent every 10 ms "
              "by an IMAP client of bob (STARTTLS, INBOX selected; bench/load.py ImapWatcher, as bench/latency.py). "
              "Remote: SMTP 250 → the end of DATA at the HEALTHY sink.",
              f"- Before the unloaded probes each instance takes {p['warmup']} unmeasured messages (half to bob, half "
              f"to the HEALTHY sink, 4 sessions) and waits until they are delivered and the CPUs are quiet; then "
              f"{p['warmup_probes']} unmeasured probes of the scenario's kind (`warmup_probes` in the JSON): after the "
              "bulk warm-up alone, HotSpot's C2 compiler still took ~0.6 CPU during the first probe phase (per-thread "
              "CPU from /proc, `server_busiest_threads_cpu_s`), which made the unloaded figures the slow ones.",
              "- CPU: `other_cpu_s` = CPU the rest of the machine used during the probes (machine total − Postino − "
              "this harness, whose fake MXs and IMAP poller are counted with the harness), as bench/load.py OtherCpu "
              "does for the other scenarios; `other_benchmarks` lists benchmark processes that overlapped. Each "
              "scenario starts once no other benchmark process runs (`pgrep -af 'python3 -B .*bench/'`, checked every "
              f"30 s, up to 20 min); a scenario in which other work took over 30% of a CPU in a phase is run again on "
              f"a fresh instance, up to {p['repeats']} times (not in a smoke run)."]
    if data["smoke"]:
        lines.append("- Smoke run: tiny N, one shared instance: the figures only show that the harness works.")
    lines += ["",
              f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), MemTotal {facts['mem_total']}, kernel "
              f"{facts['kernel']}; {facts['java_version'][0] if facts['java_version'] else ''}; {facts['python']}.",
              f"Versions: Postino {facts['postino_version']} at {facts['postino_commit']} (tarball sha256 "
              f"{data['tarball']['sha256'][:16]}…).", ""]
    return "\n".join(lines)


def run_scenario(ctx, scenario):
    """One run of a scenario, after other benchmarks on the machine have ended (not in a smoke run)."""
    waited = None
    if not ctx.smoke:
        waited = pc.wait_for_other_benchmarks()
        # then quiet CPUs (a build, a test run...) for up to 10 min: other work in a phase means a repeat
        seconds, busy, quiet = harness.wait_for_quiet(max_wait=600)
        waited["quiet_cpus"] = {"waited_s": round(seconds, 1), "busy_share": round(busy, 3), "quiet": quiet}
        if seconds > 10:
            log(f"waited {seconds:.0f} s for quiet CPUs (busy {busy:.0%}{'' if quiet else ', going ahead anyway'})")
    try:
        record = scenario.run(ctx)
    except BenchError as e:  # a scenario catches its own; this is a last resort
        record = {"failures": [str(e)]}
    record["waited_for_other_benchmarks"] = waited
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", default=",".join(PRIO_MODULES), help="comma-separated scenario modules")
    parser.add_argument("--probes", type=int, default=50, help="probes per phase")
    parser.add_argument("--gap-ms", type=int, default=200, help="pause between two probes")
    parser.add_argument("--bulk", type=int, default=2000, help="local: bulk messages to the SLOW sink")
    parser.add_argument("--dead", type=int, default=500, help="deadhost: messages to the BLACKHOLE")
    parser.add_argument("--warmup", type=int, default=1000, help="unmeasured messages per instance first")
    parser.add_argument("--repeats", type=int, default=2,
                        help="runs of a scenario again, at most, when other work disturbed it (over 30%% of a CPU)")
    parser.add_argument("--tarball", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--command", default="bench/priority.sh")
    args = parser.parse_args()
    modules = [m for m in args.only.split(",") if m]
    unknown = set(modules) - set(PRIO_MODULES)
    if unknown:
        raise SystemExit(f"unknown scenario module(s): {', '.join(sorted(unknown))} (known: {', '.join(PRIO_MODULES)})")

    facts = harness.machine_facts()
    facts["other_benchmarks_at_start"] = pc.other_benchmarks()
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    dist, tarball = Postino.unpack(args.tarball, args.work / "dist")
    ctx = Context(args, dist)
    started = time.monotonic()
    records, titles = {}, {}
    try:
        for module_name in modules:
            for scenario in importlib.import_module(module_name).SCENARIOS:
                log(f"priority scenario {scenario.name}: {scenario.title}")
                record = run_scenario(ctx, scenario)
                disturbed = []
                # other work took over 30% of a CPU in a phase: once more on a fresh instance (--repeats times
                # at most), as run.sh repeats a disturbed measurement; the disturbed runs stay in the JSON
                while not ctx.smoke and len(disturbed) < ctx.repeats and not record["failures"] \
                        and (pc.disturbance(record) or 0) > pc.DISTURBED_SHARE:
                    log(f"{scenario.name}: other work took {pc.disturbance(record):.0%} of a CPU during a phase: "
                        "running it again")
                    disturbed.append(record)
                    record = run_scenario(ctx, scenario)
                record["disturbed_runs"] = disturbed
                record["markdown"] = scenario.markdown(record) if "unloaded" in record else []
                records[scenario.name] = record
                titles[scenario.name] = scenario.title
                log(f"elapsed {(time.monotonic() - started) / 60:.1f} min")
    finally:
        ctx.close()
    if ctx.shared:
        for record in records.values():
            record["instance"] = ctx.shared.record
    data = {"scenario": "priority", "date": harness.today(), "command": args.command, "smoke": args.smoke,
            "comparison": "loaded / unloaded, the same Postino instance, same run (no peer)",
            "machine": facts, "tarball": tarball, "jvm_opts": harness.SERVER_JVM_OPTS,
            "parameters": {k: v for k, v in vars(ctx).items() if isinstance(v, (int, float, bool))},
            "delivery_parameters": {"port": "P (one free port, the same for the three fake MXs)",
                                    **pc.DELIVERY_PARAMETERS},
            "titles": titles, "scenarios": records, "elapsed_s": time.monotonic() - started}
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        data["machine"]["loadavg_at_end"] = loadavg.read().split()[:3]
    data["machine"]["other_benchmarks_at_end"] = pc.other_benchmarks()
    harness.finish(args.out, "priority", data, markdown(data), records)


if __name__ == "__main__":
    harness.run_main(main)
