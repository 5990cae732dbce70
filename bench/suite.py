"""The comparison of issue 3: Postino, the stock James 3.8.1 memory app and Postfix (+Dovecot), same
machine, same invocation, same load generator. Run through bench/run.sh.

A scenario is one small module (inbound.py, latency.py, filled.py, memory.py, relay.py) exporting
SCENARIOS: objects with name, group, rounds ("all" or "last"), metrics [(key, label, unit, digits)] and
run(ctx, system) -> record; optionally configure(ctx, system), called after the instance is prepared and
before it starts (relay: DNS server, remote delivery), and a module-level setup_lines(data) -> [lines]
for the report's set-up section. Scenarios of one group share a server instance (same population),
in the order of SCENARIO_MODULES. For each group and round every system gets a fresh instance,
the systems alternating (A B C A B C), so that drift on the machine hits all alike.
To add a scenario: write the module, add its name to SCENARIO_MODULES. --scenarios picks modules
(then the results are named after them, e.g. relay.{json,md,png}, and comparison.* is left alone).
"""

import argparse
import importlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import harness
import load
import postfix_peer
import profile_jfr
import systems
from harness import BenchError, JamesPeer, Postino, log

SCENARIO_MODULES = ["inbound", "latency", "filled", "memory", "relay"]
SYSTEMS = ["postino", "james-memory", "postfix"]
GROUP_POPULATION = {"mailboxes": "mailboxes", "users-10k": "memory_users", "relay": "relay_users"}
NO_RATIO = {"filled.stored_before"}  # a fact about the run, not a figure of merit


class Context:
    """The parameters every scenario reads, and what the scenarios before it on the same instance left."""

    def __init__(self, smoke, args):
        self.smoke = smoke
        self.sessions = 20
        self.mailboxes = 100 if smoke else 1000
        self.messages = {4096: 100 if smoke else args.messages_4k, 102400: 40 if smoke else args.messages_100k}
        self.probes = 5 if smoke else args.probes
        self.load_warmup_s = 1.0 if smoke else 3.0
        self.fill_total = 300 if smoke else args.fill_total
        self.fill_chunk = 100 if smoke else 2000
        self.fill_max_s = 60 if smoke else args.fill_max_s
        self.warmup_messages = 0 if smoke else args.warmup
        self.memory_users = self.mailboxes if smoke else args.memory_users
        self.relay_messages = 100 if smoke else args.relay_messages
        self.relay_users = 1  # the relay client authenticates as 1u@bench.test
        self.send_timeout = 120 if smoke else 600
        self.drain_timeout = 60 if smoke else 300
        self.disturbed_share = 0.30  # other work above 30% of one CPU during a measurement: repeat it once
        self.default_capacity = 100.0
        self.settle = 1.0 if smoke else 3.0
        self.profile_dir = None
        self.profiled = None
        self.results = {}
        self.counted_before = None

    def new_instance(self):
        self.results = {}
        self.counted_before = 0  # a fresh instance: its mailboxes are empty

    def start_profile(self, system):
        """A JFR recording on Postino (once per invocation), stopped by stop_profile."""
        if system.name != "postino" or self.profile_dir is None or self.profiled:
            return None
        path = self.profile_dir / "postino-inbound.jfr"
        harness.jcmd(system.pid, "JFR.start", "name=bench", "settings=profile", "duration=60s", f"filename={path}")
        log(f"Postino: JFR recording for 60 s into {path}")
        return {"path": path, "started": time.monotonic()}

    def stop_profile(self, system, profile):
        if not profile:
            return
        if time.monotonic() - profile["started"] < 60:
            harness.run(["jcmd", str(system.pid), "JFR.stop", "name=bench", f"filename={profile['path']}"],
                        timeout=120, check=False)
        for _ in range(100):
            if profile["path"].exists() and profile["path"].stat().st_size > 0:
                break
            time.sleep(0.2)
        self.profiled = profile["path"]


def scenarios_by_group(smoke, modules=SCENARIO_MODULES):
    groups = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for scenario in module.SCENARIOS:
            group = "mailboxes" if smoke else scenario.group  # smoke: one instance for all
            groups.setdefault(group, []).append(scenario)
    return groups


def run_instance(ctx, name, group, scenarios, round_index, last_round, work, dist, james_lib, keystore, quiet_wait):
    instance = {"system": name, "group": group, "round": round_index, "scenarios": {}}
    if quiet_wait:
        waited, busy, quiet = harness.wait_for_quiet(threshold=0.30, max_wait=quiet_wait)
        instance["quiet_wait"] = {"waited_s": round(waited, 1), "cpu_busy_before": round(busy, 3), "quiet": quiet}
    system = systems.make(name, work, dist, james_lib, keystore)
    count = getattr(ctx, GROUP_POPULATION[group])
    users = systems.population(count)
    ctx.new_instance()
    try:
        system.prepare()
        if system.provision_before_start:
            instance["provisioning_s"] = system.provision(systems.DOMAIN, users)
        for scenario in scenarios:
            if hasattr(scenario, "configure"):
                scenario.configure(ctx, system)
        log(f"{system.label}: round {round_index}, {group}: starting ({count} users)")
        instance["start"] = system.start(180)
        if not system.provision_before_start:
            instance["provisioning_s"] = system.provision(systems.DOMAIN, users)
        instance["users"] = len(users)
        instance["listening"] = system.check_loopback_only()
        instance["fsync"] = system.fsync
        if ctx.warmup_messages and group == "mailboxes":
            instance["warmup"] = warm_up(ctx, system)
        for scenario in scenarios:
            if scenario.rounds == "last" and not last_round:
                continue
            try:
                record = scenario.run(ctx, system)
            except BenchError as e:
                log(f"{system.label}: {scenario.name} FAILED: {e}")
                record = {"error": str(e)}
                ctx.counted_before = None
            ctx.results[scenario.name] = record
            instance["scenarios"][scenario.name] = record
    except BenchError as e:
        log(f"{system.label}: round {round_index} FAILED: {e}\n{system.log_tail()}")
        instance["error"] = str(e)
    finally:
        instance["stop_s"] = system.stop()
    return instance


def warm_up(ctx, system):
    """Unmeasured inbound before the scenarios (every system alike): a fresh JVM runs its first
    thousand messages at half speed until the JIT has compiled the paths."""
    n = ctx.warmup_messages
    commands = load.smtp_source_commands(system.smtp_port, n, ctx.sessions, 4096, min(n, ctx.mailboxes))
    t0 = time.monotonic()
    sent_s, codes, errors = load.run_smtp_source(commands, timeout=ctx.send_timeout)
    if any(codes):
        raise BenchError(f"{system.label}: warm-up smtp-source exited {codes}: {errors[:1]}")
    drained = load.wait_queue_empty(system, timeout=ctx.drain_timeout)
    ctx.counted_before = None
    log(f"{system.label}: warm-up {n} × 4 KiB: {n / sent_s:.0f} msg/s accepted, drained in "
        f"{time.monotonic() - t0:.1f} s")
    return {"messages": n, "accepted_msg_s": n / sent_s, "drained": drained, "seconds": time.monotonic() - t0}


def all_metrics(groups):
    return [m for scenarios in groups.values() for s in scenarios for m in s.metrics]


def metric_value(instance, key):
    scenario, field = key.split(".", 1)
    record = instance["scenarios"].get(scenario)
    return None if record is None else record.get(field)


def fmt(stats, digits):
    if stats is None:
        return "–"
    median = f"{stats['median']:.{digits}f}"
    if stats["n"] > 1 and round(stats["min"], digits) != round(stats["max"], digits):
        return f"{median} ({stats['min']:.{digits}f}–{stats['max']:.{digits}f})"
    return median


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}"


def markdown(data):
    names = data["systems_run"]
    facts = data["machine"]
    lines = [f"# Postino vs stock James 3.8.1 vs Postfix — {data['date']}", "",
             f"`{data['command']}` — {data['elapsed_s'] / 60:.1f} min. Median (min–max) over the rounds; the "
             f"systems alternate round by round ({' '.join(systems.LABELS[n].split()[0] for n in names)} × "
             f"{data['rounds']}). Ratios are of the medians, same invocation.", ""]
    header = "| metric | " + " | ".join(systems.LABELS[n] for n in names) + " |"
    rule = "|---|" + "---:|" * len(names)
    if "postfix" in names and "postino" in names:
        header += " Postino ÷ Postfix |"
        rule += "---:|"
    if "james-memory" in names and "postino" in names:
        header += " Postino ÷ James |"
        rule += "---:|"
    lines += [header, rule]
    for key, label, unit, digits in data["metrics"]:
        row = f"| {label}" + (f" ({unit})" if unit else "") + " |"
        row += "".join(f" {fmt(data['summary'][n].get(key), digits)} |" for n in names)
        for peer in ("postfix", "james-memory"):
            if peer in names and "postino" in names:
                row += f" {'–' if key in NO_RATIO else fmt_ratio(data['ratios'][f'postino/{peer}'].get(key))} |"
        lines.append(row)
    lines += ["", "## Set-up", ""]
    p = data["parameters"]
    ran = {key.split(".", 1)[0] for key, *_ in data["metrics"]}
    local = ran & {"inbound_4k", "inbound_100k", "latency", "filled", "memory"}
    if local:
        lines += [
            f"- Population: {p['mailboxes']} mailboxes (+1 probe mailbox) on the inbound/latency/filled instance; "
            f"{p['memory_users']} users (+1) on the memory instance. Domain `{systems.DOMAIN}`.",
            f"- Load generator: Postfix's `smtp-source` for every system, the same flags: `{p['smtp_source_example']}` "
            f"(several processes when the messages exceed the mailboxes: smtp-source -N numbers recipients 1..m per "
            f"process, so {p['sessions']} sessions in all); a new connection per message (smtp-source's default), "
            f"no pipelining. Inbound: {p['messages'][4096]} × 4 KiB and {p['messages'][102400]} × 100 KiB per run.",
            f"- Each 1,000-mailbox instance first takes {p['warmup']} unmeasured 4 KiB messages (JIT warm-up; "
            f"the same for Postfix); the figures are of a warm server."]
    if "latency" in ran:
        lines += [
            f"- Latency: {p['probes']} sequential probes (50 ms apart) idle and {p['probes']} under load; open-loop "
            f"background at 50% of the system's own inbound-4K delivered rate (Python, 20 persistent connections, "
            f"fixed schedule). Visible = `* N EXISTS` in the answer to a NOOP sent every 10 ms on a selected INBOX "
            f"(poll; the headline rows), and pushed to a client in IDLE (push; Dovecot holds IDLE notifications "
            f"~0.5 s by design). For Postfix the JSON also has the Maildir-file latency (`idle_file_p50_ms`...)."]
    if "filled" in ran:
        lines += [
            f"- Filled: last round only, filled towards {p['fill_total']} stored messages in chunks of "
            f"{p['fill_chunk']} (at most {p['fill_max_s']:.0f} s of filling per system: the row 'messages stored "
            f"before' says how far each got), then inbound 4 KiB measured again (n = 1 per system)."]
    if local:
        lines += [
            "- fsync: " + "; ".join(f"{systems.LABELS[n]}: {data['fsync'].get(n, '?')}" for n in names) + ".",
            "- Delivered = visible in the mailbox: Postino/James — spool queue size 0 (WebAdmin `GET "
            "/mailQueues/spool`, polled every 50 ms), then the sum of `GET /users/{u}/mailboxes/INBOX/messageCount` "
            "over all mailboxes must equal what was sent; Postfix — files in the Maildirs' new/ and cur/ counted "
            "every 50 ms."]
    for module_name in SCENARIO_MODULES:
        module = importlib.import_module(module_name)
        if hasattr(module, "setup_lines") and {s.name for s in module.SCENARIOS} & ran:
            lines += module.setup_lines(data)
    lines += [
        "- The JVMs run with `" + " ".join(harness.SERVER_JVM_OPTS) + "`; Postino from its tarball with its own "
        "configuration (durable: KahaDB spool, Derby mailboxes); James = the memory app with Postino's listener files "
        "and pipeline minus Postino's classes (as bench/startup.sh runs it).",
        "- Everything on " + ("the loopback (servers on 127.0.0.1, the relay's sink MX and DNS on 127.0.0.60 and "
                              "127.0.0.61)" if "relay" in ran else "127.0.0.1")
        + "; each measurement records the CPU other work on the machine took meanwhile "
        f"(`other_cpu_share` in the JSON); one over {int(100 * p['disturbed_share'])}% of a CPU is repeated once.",
        "", f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), MemTotal {facts['mem_total']}, kernel "
        f"{facts['kernel']}; {facts['java_version'][0] if facts['java_version'] else ''}; {facts['python']}; "
        f"Postfix {data['peer_versions'].get('postfix')}, Dovecot {data['peer_versions'].get('dovecot-imapd')}.",
        f"Versions: Postino {facts['postino_version']} at {facts['postino_commit']} (tarball sha256 "
        f"{data['tarball']['sha256'][:16]}…); James {facts['james_version']} (james-server-memory-app).", ""]
    if data["notes"]:
        lines += ["## Notes", ""] + [f"- {n}" for n in data["notes"]] + [""]
    if data.get("profile_md"):
        lines += [f"Profile of Postino's inbound path: [{data['profile_md']}]({data['profile_md']}).", ""]
    return "\n".join(lines)


def rerender(directory, stem="comparison"):
    """<stem>.md and <stem>.png again from <stem>.json (after a change to the report)."""
    json_path = directory / f"{stem}.json"
    data = json.loads(json_path.read_text(encoding="utf-8"))
    data["parameters"]["messages"] = {int(k): v for k, v in data["parameters"]["messages"].items()}
    (directory / f"{stem}.md").write_text(markdown(data), encoding="utf-8")
    subprocess.run(["/usr/bin/python3", str(harness.BENCH / "chart.py"), str(json_path),
                    str(directory / f"{stem}.png")], check=True, timeout=120)


def main():
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--rerender":
        rerender(Path(sys.argv[2]), *sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--memory-rounds", type=int, default=1)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--messages-4k", type=int, default=4000)
    parser.add_argument("--messages-100k", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=1000, help="unmeasured 4 KiB messages first on each instance")
    parser.add_argument("--fill-total", type=int, default=20000)
    parser.add_argument("--fill-max-s", type=float, default=150.0,
                        help="seconds of filling per system at most (the time budget)")
    parser.add_argument("--memory-users", type=int, default=10000)
    parser.add_argument("--relay-messages", type=int, default=4000)
    parser.add_argument("--scenarios", default=",".join(SCENARIO_MODULES),
                        help="comma-separated scenario modules; a subset writes <modules>.{json,md,png}")
    parser.add_argument("--tarball", type=Path, required=True)
    parser.add_argument("--james-lib", type=Path)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--command", default="bench/run.sh")
    args = parser.parse_args()

    names = ["postino"] if args.smoke else [n for n in args.systems.split(",") if n]
    unknown = set(names) - set(SYSTEMS)
    if unknown:
        raise SystemExit(f"unknown system(s): {', '.join(sorted(unknown))}")
    if "james-memory" in names and args.james_lib is None:
        raise SystemExit("--james-lib is needed for james-memory")
    if "postfix" in names and not postfix_peer.installed():
        raise BenchError("postfix/dovecot not installed (bench/run.sh installs them)")
    modules = [m for m in args.scenarios.split(",") if m]
    if set(modules) - set(SCENARIO_MODULES):
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(set(modules) - set(SCENARIO_MODULES)))} "
                         f"(known: {', '.join(SCENARIO_MODULES)})")
    modules = [m for m in SCENARIO_MODULES if m in modules]  # the usual order
    stem = "comparison" if modules == SCENARIO_MODULES or args.smoke else "-".join(modules)
    ctx = Context(args.smoke, args)
    groups = scenarios_by_group(args.smoke, modules)
    rounds = {"mailboxes": 1 if args.smoke else args.rounds, "users-10k": args.memory_rounds,
              "relay": 1 if args.smoke else args.rounds}
    quiet_wait = 0 if args.smoke else 30

    facts = harness.machine_facts()
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    args.out.mkdir(parents=True, exist_ok=True)
    ctx.profile_dir = None if args.smoke else args.work
    dist, tarball = Postino.unpack(args.tarball, args.work / "dist")
    keystore = args.work / "peer-keystore.p12"
    if "james-memory" in names:
        JamesPeer.make_keystore(keystore)
    started = time.monotonic()
    instances = []
    attempt = 0
    for group, scenarios in groups.items():
        total = rounds.get(group, 1)
        for round_index in range(1, total + 1):
            for name in names:  # alternate: A B C A B C
                attempt += 1
                work = args.work / f"{name}-{group}-{round_index}"
                instances.append(run_instance(ctx, name, group, scenarios, round_index, round_index == total,
                                              work, dist, args.james_lib, keystore, quiet_wait))
                log(f"elapsed {(time.monotonic() - started) / 60:.1f} min")

    metrics = all_metrics(groups)
    summary = {n: {} for n in names}
    for n in names:
        for key, *_ in metrics:
            summary[n][key] = harness.summarize([metric_value(i, key) for i in instances if i["system"] == n])
    ratios = {}
    for peer in ("postfix", "james-memory"):
        if peer in names and "postino" in names:
            ratios[f"postino/{peer}"] = {
                key: harness.ratio(summary["postino"][key] and summary["postino"][key]["median"],
                                   summary[peer][key] and summary[peer][key]["median"]) for key, *_ in metrics}
    notes = []
    failures = [f"{i['system']} round {i['round']} ({i['group']}): {i['error']}" for i in instances if "error" in i]
    failures += [f"{i['system']} round {i['round']} {s}: {r['error']}" for i in instances
                 for s, r in i["scenarios"].items() if isinstance(r, dict) and "error" in r]
    notes += [f"FAILED: {f}" for f in failures]
    disturbed = [f"{i['system']} round {i['round']} {s}" for i in instances for s, r in i["scenarios"].items()
                 if isinstance(r, dict) and (r.get("other_cpu_share") or 0) > ctx.disturbed_share]
    if disturbed:
        notes.append(f"Kept although other work on the machine took over {int(100 * ctx.disturbed_share)}% of a CPU "
                     f"during the measurement: {', '.join(disturbed)}.")
    notes += args_notes(args, ctx)
    example = load.smtp_source_commands(12345, ctx.messages[4096], ctx.sessions, 4096, ctx.mailboxes)[0]
    data = {
        "scenario": "comparison", "date": harness.today(), "command": args.command, "smoke": args.smoke,
        "rounds": rounds["mailboxes"], "systems_run": names, "scenario_modules": modules, "machine": facts, "tarball": tarball,
        "peer_versions": postfix_peer.versions(),
        "fsync": {n: systems.fsync_of(n) for n in names},
        "parameters": {"sessions": ctx.sessions, "mailboxes": ctx.mailboxes, "messages": ctx.messages,
                       "probes": ctx.probes, "fill_total": ctx.fill_total, "fill_chunk": ctx.fill_chunk,
                       "memory_users": ctx.memory_users, "warmup": ctx.warmup_messages, "fill_max_s": ctx.fill_max_s,
                       "relay_messages": ctx.relay_messages,
                       "disturbed_share": ctx.disturbed_share,
                       "smtp_source_example": " ".join(example[:-1]) + " 127.0.0.1:PORT",
                       "jvm_opts": harness.SERVER_JVM_OPTS},
        "metrics": metrics, "summary": summary, "ratios": ratios, "instances": instances, "notes": notes,
        "elapsed_s": time.monotonic() - started,
    }
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        data["machine"]["loadavg_at_end"] = loadavg.read().split()[:3]
    if ctx.profiled:
        try:
            profile = profile_jfr.analyse(ctx.profiled)
            (args.out / "profile-postino-inbound.md").write_text(profile_jfr.markdown(profile, ctx.profiled.name))
            (args.out / "profile-postino-inbound.json").write_text(json.dumps(profile, indent=1) + "\n")
            data["profile_md"] = "profile-postino-inbound.md"
        except (BenchError, OSError, subprocess.SubprocessError) as e:
            notes.append(f"JFR profile not analysed: {e}")
    json_path, md_path = harness.write_results(args.out, stem, data, markdown(data))
    chart = args.out / f"{stem}.png"
    result = subprocess.run(["/usr/bin/python3", str(harness.BENCH / "chart.py"), str(json_path), str(chart)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        log(f"no chart: {(result.stderr or result.stdout).strip()[-500:]}")
    print(md_path.read_text(encoding="utf-8"))
    log(f"results in {args.out} ({data['elapsed_s'] / 60:.1f} min)")
    if failures:
        log(f"{len(failures)} failure(s)")
        sys.exit(1)


def args_notes(args, ctx):
    notes = []
    if args.smoke:
        notes.append(f"Smoke run: Postino only, {ctx.mailboxes} mailboxes, every scenario on one instance, tiny N; "
                     f"the figures only show that the harness works.")
        return notes
    if ctx.memory_users != 10000:
        notes.append(f"Memory scenario with {ctx.memory_users} users instead of 10,000 (time budget).")
    if ctx.fill_total != 20000:
        notes.append(f"Filled scenario with {ctx.fill_total} stored messages instead of 20,000 (time budget).")
    return notes


if __name__ == "__main__":
    harness.run_main(main)
