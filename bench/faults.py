"""Fault scenarios (issue 3, item 3): what becomes of accepted mail when Postino's JVM is killed
(kill -9) under load, and when its data disk fills up. Run through bench/faults.sh (bench/run.sh
--smoke runs them too, at tiny N).

Postino only: each scenario checks a property of one system (no accepted message lost, none
delivered twice, a full disk refused with 452 4.3.1), not a figure to compare, so no peer runs.

A fault scenario is one small module (fault_kill9.py, fault_disk_full.py) exporting SCENARIOS:
objects with name, title, run(ctx) -> record and markdown(record) -> [(row, value)]; a record's
"failures" (sentences) make the run exit non-zero. Add a module: add its name to FAULT_MODULES.
"""

import argparse
import importlib
import re
import shutil
import time
import traceback
from pathlib import Path

import harness
import systems
from harness import BenchError, Postino, log

FAULT_MODULES = ["fault_kill9", "fault_disk_full"]


class Context:
    """Parameters, and the Postino instances: server(name, small_disk) gives a started, provisioned
    instance, done(instance) stops it (and unmounts its data directory). A smoke run shares one
    instance between the scenarios (one start less: CI time), its data directory on the small disk."""

    def __init__(self, args, dist):
        smoke = args.smoke
        self.smoke = smoke
        self.work = args.work
        self.dist = dist
        self.sessions = 20
        self.mailboxes = 20 if smoke else args.mailboxes
        self.kill_messages = 200 if smoke else args.messages
        self.kill_after = 80 if smoke else args.kill_after or args.messages // 2
        # smoke: a margin the accepted backlog cannot eat up (the full run shows what happens when it can)
        self.disk_size_mib = 96 if smoke else args.disk_size_mib
        self.disk_min_free_mib = 64 if smoke else args.min_free_mib
        self.shipped_disk_size_mib = args.shipped_disk_size_mib
        self.disk_runs = 1 if smoke else args.disk_runs
        self.send_timeout = 120 if smoke else 900
        self.drain_timeout = 120 if smoke else 600
        self.shared = None

    def server(self, name, disk=None):
        """A started Postino with ctx.mailboxes users. disk=(size MiB, minFreeSpace MiB or None): its data
        directory (POSTINO_HOME/var) on a tmpfs of that size, and minFreeSpace lowered to that in its
        smtpserver.xml (None: as shipped). Returns an Instance (system, users, record of the set-up)."""
        if self.smoke and self.shared:
            self.shared.record["shared_with"] = self.shared.record.get("shared_with", []) + [name]
            return self.shared
        if self.smoke:
            disk = (self.disk_size_mib, self.disk_min_free_mib)
        for attempt in (1, 2):
            instance = Instance(self, ("shared" if self.smoke else name) + ("" if attempt == 1 else "-again"), disk)
            try:
                instance.start()
                break
            except BenchError as e:
                instance.stop()
                # a free port taken by another process between our check and the server's bind: once more
                if attempt == 2 or "already in use" not in str(e):
                    raise
                log(f"Postino: a port was taken meanwhile ({str(e).splitlines()[0][:200]}): new ports, new start")
            except BaseException:
                instance.stop()
                raise
        if self.smoke:
            self.shared = instance
        return instance

    def done(self, instance):
        if instance is not self.shared:
            instance.stop()

    def close(self):
        if self.shared:
            self.shared.stop()

    @staticmethod
    def log_errors(system, since=0, listed=8):
        """ERROR and WARN lines of the server log from line `since` on, and how often the disk was found
        full; "lines": where the log ends now (the `since` of a later look)."""
        path = system.inner.home / "log" / "postino.log"
        try:
            every = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return {"log": str(path), "missing": True, "lines": since}
        lines = every[since:]
        errors = [line for line in lines if " ERROR " in line]
        return {"log": str(path), "from_line": since, "lines": len(every), "error_lines": len(errors),
                "warn_lines": sum(1 for line in lines if " WARN " in line),
                "no_space_left": sum(1 for line in lines if "No space left on device" in line),
                # StorageGuard: below queue.pauseBelowFreeSpace queued mail waits (held, not lost) until there is room
                "processing_paused": sum(1 for line in lines if "Mail processing paused" in line),
                "first_errors": [line[:400] for line in errors[:listed]]}


class Instance:
    def __init__(self, ctx, name, disk):
        self.ctx = ctx
        self.work = ctx.work / name
        self.system = systems.make("postino", self.work, ctx.dist, None, None)
        self.users = systems.population(ctx.mailboxes)
        self.mailboxes = [address for address, _ in self.users[:ctx.mailboxes]]
        self.disk = disk
        self.data = self.work / "var"
        self.mounted = False
        self.stopped = False
        self.keep_data = False  # a scenario that found the data directory broken keeps a copy for a post-mortem
        self.record = {"home": str(self.work)}

    def start(self):
        system = self.system
        system.prepare()
        if self.disk:
            size_mib, min_free_mib = self.disk
            if min_free_mib is not None:
                conf = self.work / "conf" / "smtpserver.xml"
                xml, replaced = re.subn(r"<minFreeSpace>[^<]*</minFreeSpace>",
                                        f"<minFreeSpace>{min_free_mib}M</minFreeSpace>", conf.read_text())
                if replaced == 0:
                    raise BenchError("conf/smtpserver.xml has no <minFreeSpace> to lower")
                conf.write_text(xml)
                self.record.update({"min_free_space": f"{min_free_mib}M", "min_free_space_listeners": replaced})
            harness.mount_tmpfs(self.data, size_mib)
            self.mounted = True
            self.record["data_fs"] = f"tmpfs size={size_mib}m"
        self.record["start"] = system.start(180)
        self.record["provisioning_s"] = system.provision(systems.DOMAIN, self.users)
        self.record["listening"] = system.check_loopback_only()

    def grow_and_restart(self, size_mib):
        """Stop, grow the tmpfs (remount, contents kept), start again: the start record. The server log's
        length before the new start is record["log_lines_at_restart"]."""
        self.record["stop_before_growing_s"] = self.system.stop()
        self.record["log_lines_at_restart"] = self.ctx.log_errors(self.system)["lines"]
        harness.run(["mount", "-o", f"remount,size={size_mib}m", str(self.data)], timeout=30)
        self.record["data_fs"] += f", then grown to size={size_mib}m"
        return self.system.start(180)

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        try:
            self.record["stop_s"] = self.system.stop()
        finally:
            if self.mounted:
                if self.keep_data:
                    kept = self.work / "var-kept"
                    shutil.rmtree(kept, ignore_errors=True)
                    shutil.copytree(self.data, kept, symlinks=True)
                    self.record["data_kept_in"] = str(kept)
                    log(f"Postino: data directory kept for a post-mortem in {kept}")
                self.record["unmount"] = harness.unmount(self.data)


def markdown(data):
    facts = data["machine"]
    lines = [f"# Fault scenarios (Postino) — {data['date']}", "",
             f"`{data['command']}` — {data['elapsed_s'] / 60:.1f} min. Postino only: each scenario checks what "
             f"became of the mail the server had accepted (a property, not a ratio against a peer).", ""]
    for name, record in data["scenarios"].items():
        scenario = data["titles"][name]
        verdict = "FAILED" if record["failures"] else "passed"
        lines += [f"## {scenario} ({name}): {verdict}", ""]
        columns = max((len(v) for _, v in record["markdown"] if isinstance(v, list)), default=0)
        if columns:  # one column per run
            lines += ["| | " + " | ".join(f"run {k}" for k in range(1, columns + 1)) + " |",
                      "|---|" + "---:|" * columns]
            lines += [f"| {row} | " + " | ".join(str(v) for v in values) + " |" for row, values in record["markdown"]]
        else:
            lines += ["| | |", "|---|---:|"] + [f"| {row} | {value} |" for row, value in record["markdown"]]
        lines.append("")
        if record["failures"]:  # the first line of each (the JSON has them whole, log tails included)
            lines += [f"- FAILED: {f.splitlines()[0][:600]}" for f in record["failures"]] + [""]
        errors = record.get("log_errors") or {}  # kill9's; the disk runs have theirs in the JSON
        if errors.get("first_errors"):
            lines += [f"Server log: {errors['error_lines']} ERROR line(s), first ones:", "", "```"]
            lines += errors["first_errors"] + ["```", ""]
    lines += ["## Set-up", "",
              "- Postino from its tarball, a fresh POSTINO_HOME per scenario, listeners on 127.0.0.1 (free ports), "
              f"`{' '.join(harness.SERVER_JVM_OPTS)}`; the client is Python (bench/load.py TrackedSender): persistent "
              "SMTP sessions, one recipient per message, each message with its own Message-ID; counting reads every "
              "mailbox over IMAP (after STARTTLS) with `FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])`.",
              "- In flight = the whole DATA including the final dot was written, no reply came: the server may or may "
              "not have taken it (either is right, reported apart). Aborted = the connection broke before the end of "
              "DATA: must never be delivered."]
    if data["smoke"]:
        lines.append("- Smoke run: one instance for both scenarios (its data directory on the small tmpfs from the "
                     "start, so kill9 runs there too), tiny N: the figures only show that the harness works.")
    lines += ["",
              f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), MemTotal {facts['mem_total']}, kernel "
              f"{facts['kernel']}; {facts['java_version'][0] if facts['java_version'] else ''}; {facts['python']}.",
              f"Versions: Postino {facts['postino_version']} at {facts['postino_commit']} (tarball sha256 "
              f"{data['tarball']['sha256'][:16]}…).", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", default=",".join(FAULT_MODULES), help="comma-separated fault modules")
    parser.add_argument("--messages", type=int, default=10000, help="kill9: messages to send")
    parser.add_argument("--kill-after", type=int, default=5000, help="kill9: SIGKILL once this many are accepted")
    parser.add_argument("--mailboxes", type=int, default=100)
    parser.add_argument("--disk-size-mib", type=int, default=384, help="disk_full: size of the tmpfs")
    parser.add_argument("--min-free-mib", type=int, default=32, help="disk_full: minFreeSpace of the instance")
    parser.add_argument("--disk-runs", type=int, default=3, help="runs of each disk scenario (fresh instance each)")
    parser.add_argument("--shipped-disk-size-mib", type=int, default=512,
                        help="disk_full_shipped: size of the tmpfs (minFreeSpace as shipped, 256M)")
    parser.add_argument("--tarball", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--command", default="bench/faults.sh")
    parser.add_argument("--name", default="faults", help="results file names: <name>.{json,md}")
    args = parser.parse_args()
    modules = [m for m in args.only.split(",") if m]
    unknown = set(modules) - set(FAULT_MODULES)
    if unknown:
        raise SystemExit(f"unknown fault module(s): {', '.join(sorted(unknown))} (known: {', '.join(FAULT_MODULES)})")

    facts = harness.machine_facts()
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
                if ctx.smoke and not getattr(scenario, "smoke", True):
                    continue
                log(f"fault scenario {scenario.name}: {scenario.title}")
                try:
                    record = scenario.run(ctx)
                except Exception as e:  # noqa: BLE001 - a scenario catches its own; the others still run
                    record = {"failures": [f"{type(e).__name__}: {e}\n{traceback.format_exc()}"]}
                record["markdown"] = scenario.markdown(record)
                records[scenario.name] = record
                titles[scenario.name] = scenario.title
                log(f"elapsed {(time.monotonic() - started) / 60:.1f} min")
    finally:
        ctx.close()
    if ctx.shared:
        for record in records.values():
            record["instance"] = ctx.shared.record
    data = {"scenario": "faults", "date": harness.today(), "command": args.command, "smoke": args.smoke,
            "machine": facts, "tarball": tarball, "jvm_opts": harness.SERVER_JVM_OPTS,
            "parameters": {k: v for k, v in vars(ctx).items() if isinstance(v, (int, float, bool))},
            "titles": titles, "scenarios": records, "elapsed_s": time.monotonic() - started}
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        data["machine"]["loadavg_at_end"] = loadavg.read().split()[:3]
    harness.finish(args.out, args.name, data, markdown(data), records)


if __name__ == "__main__":
    harness.run_main(main)
