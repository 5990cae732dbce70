"""Priority scenario (b): delivery latency to a healthy remote domain with and without a blackholed
one (issue 5; mirrors PriorityRoutingIT's second test, measured).

Probes: messages to friend@[127.0.0.71] (the HEALTHY sink), submitted one at a time by alice;
latency = the 250 after DATA at Postino -> the end of DATA at the sink. First unloaded; then `dead`
messages to nobody<n>@[127.0.0.72], the BLACKHOLE (takes the TCP connection, never greets), over 4
sessions, submitted as PriorityRoutingIT does (no bulk header: the same priority as the probes, so
only per-destination fairness keeps them apart); once they are all accepted, in the outgoing queue
(spool empty) and the blackhole has seen its first connections, the same probes again. Recorded:
the mails for the blackhole still queued and the connections it saw, at the start and the end of
the loaded probes.
"""

import time

import prio_common as pc
from harness import BenchError, log


class HealthyBesideDeadHost:
    name = "healthy_beside_dead_host"
    title = "(b) healthy remote domain beside a blackholed one"

    def run(self, ctx):
        instance = ctx.server(self.name)
        record = {"failures": []}
        try:
            record.update(self.measure(ctx, instance, record["failures"]))
        except BenchError as e:
            record["failures"].append(str(e))
        finally:
            try:
                ctx.done(instance)
            except BenchError as e:
                record["failures"].append(f"after the scenario: {e}")
            record["instance"] = instance.record
        return record

    @staticmethod
    def probes(ctx, instance, label, tag, count=None):
        session = pc.Submission(instance.submission_port)
        recipient = f"friend@{instance.healthy.domain}"

        def send_one(i):
            return session.send(recipient, pc.message(recipient, pc.message_id(tag, i), f"remote probe {i}"))

        def wait_seen(i, timeout):
            return instance.healthy.wait_arrival(pc.message_id(tag, i), timeout)

        try:
            return pc.measure(instance.system, label, count or ctx.probes, ctx.gap_s, ctx.probe_timeout_s,
                              send_one, wait_seen)
        finally:
            session.close()

    def measure(self, ctx, instance, failures):
        dead_domain = pc.BLACKHOLE_IP  # how the queue listing names [127.0.0.72]
        record = {"probes_per_phase": ctx.probes, "gap_ms": round(ctx.gap_s * 1000),
                  "quiet_before_unloaded": ctx.wait_quiet()}
        if ctx.warmup_probes:  # the same probes unmeasured first: the JIT's C2 compiler is still busy otherwise
            record["warmup_probes"], _, _ = self.probes(ctx, instance, "(b) warm-up probes", "remote-warmup",
                                                        ctx.warmup_probes)
            record["warmup_probes"].pop("raw_ms", None)
            record["quiet_before_unloaded"] = ctx.wait_quiet()
        record["unloaded"], _, _ = self.probes(ctx, instance, "(b) unloaded", "remote-unloaded")

        started = time.monotonic()
        instance.outgoing.dirty = True
        connections0 = instance.blackhole.connection_count()
        record["dead_submission"] = pc.submit_many(
            instance.submission_port, ctx.dead, ctx.sessions, lambda i: f"nobody{i}@{instance.blackhole.domain}", "dead")
        if record["dead_submission"]["accepted"] != ctx.dead:
            failures.append(f"blackhole mail: {record['dead_submission']['accepted']} of {ctx.dead} accepted: "
                            f"{record['dead_submission']['errors']}")
        first = min(5, ctx.dead)
        deadline = time.monotonic() + ctx.backlog_timeout_s
        while time.monotonic() < deadline:
            if instance.blackhole.connection_count() - connections0 >= first and instance.outgoing.spool_size() == 0:
                break
            time.sleep(0.25)
        else:
            failures.append(f"within {ctx.backlog_timeout_s} s: blackhole connections "
                            f"{instance.blackhole.connection_count() - connections0}, spool {instance.outgoing.spool_size()}")
        record["dead_ready_after_s"] = round(time.monotonic() - started, 1)
        before = instance.outgoing.summary(dead_domain)
        record["at_start"] = {**before, "spool": instance.outgoing.spool_size(),
                              "blackhole_connections": instance.blackhole.connection_count() - connections0}
        log(f"(b) at the start of the loaded probes: {before['for_domain']} mails queued for the blackhole "
            f"(outgoing {before['queue_size']}), it saw {record['at_start']['blackhole_connections']} connections")

        loaded, t_first, t_last = self.probes(ctx, instance, "(b) beside the blackhole", "remote-loaded")
        record["loaded"] = loaded
        after = instance.outgoing.summary(dead_domain)
        record["at_end"] = {**after, "spool": instance.outgoing.spool_size(),
                            "blackhole_connections": instance.blackhole.connection_count() - connections0}
        record["blackhole_connections_during_measurement"] = \
            record["at_end"]["blackhole_connections"] - record["at_start"]["blackhole_connections"]
        record["blackhole"] = instance.blackhole.record()
        record["healthy_sink"] = instance.healthy.record()
        record["ratios"] = pc.ratios(record["unloaded"]["stats"], loaded["stats"])
        log(f"(b) at the end: {after['for_domain']} mails queued for the blackhole, "
            f"{record['at_end']['blackhole_connections']} connections in all; p99 ratio {record['ratios']['p99']}")
        # the same probes once more with the queue emptied: how much of the difference is the JVM warming up
        record["outgoing_removed_before_unloaded_after"] = instance.outgoing.clear()
        record["quiet_before_unloaded_after"] = ctx.wait_quiet()
        record["unloaded_after"], _, _ = self.probes(ctx, instance, "(b) unloaded again", "remote-after")
        record["ratios_vs_unloaded_after"] = pc.ratios(record["unloaded_after"]["stats"], loaded["stats"])
        for phase in pc.PHASES:
            missing = record[phase]["stats"]["not_delivered"] + ctx.probes - record[phase]["stats"]["probes"]
            if missing:
                failures.append(f"{phase}: {missing} of {ctx.probes} probes not at the healthy sink within "
                                f"{ctx.probe_timeout_s:.0f} s")
        return record

    @staticmethod
    def markdown(record):
        u, l, r = record["unloaded"]["stats"], record.get("loaded", {}).get("stats", {}), record.get("ratios", {})
        start, end = record.get("at_start", {}), record.get("at_end", {})
        fmt = _fmt
        return [
            ("unloaded: p50 / p99 / max (n)", f"{fmt(u['p50_ms'])} / {fmt(u['p99_ms'])} / {fmt(u['max_ms'])} ms ({u['n']})"),
            ("beside the blackhole: p50 / p99 / max (n)",
             f"{fmt(l.get('p50_ms'))} / {fmt(l.get('p99_ms'))} / {fmt(l.get('max_ms'))} ms ({l.get('n', '–')})"),
            ("ratio loaded ÷ unloaded: p50 / p99 / max",
             f"{fmt(r.get('p50'), 2)} / {fmt(r.get('p99'), 2)} / {fmt(r.get('max'), 2)}"),
            ("p99 within 2× (the issue's target)", "yes" if r.get("p99_within_2x") else "no"),
            ("mail for the blackhole submitted (4 sessions)",
             f"{record['dead_submission']['accepted']} of {record['dead_submission']['messages']} accepted in "
             f"{record['dead_submission']['seconds']:.1f} s"),
            ("mail for the blackhole still queued, start → end of the loaded probes",
             f"{fmt(start.get('for_domain'))} → {fmt(end.get('for_domain'))}"),
            ("connections the blackhole saw, start → end of the loaded probes",
             f"{fmt(start.get('blackhole_connections'))} → {fmt(end.get('blackhole_connections'))}"),
            ("unloaded again, queue emptied after the loaded probes: p50 / p99 / max (n)", _phase(record, "unloaded_after")),
            ("ratio loaded ÷ unloaded again: p50 / p99 / max", _ratio_row(record.get("ratios_vs_unloaded_after", {}))),
            ("CPU during the unloaded probes", pc.cpu_row(record["unloaded"])),
            ("CPU during the loaded probes", pc.cpu_row(record["loaded"]) if "loaded" in record else "–"),
            ("CPU during the unloaded-again probes",
             pc.cpu_row(record["unloaded_after"]) if "unloaded_after" in record else "–"),
        ]


def _phase(record, phase):
    s = record.get(phase, {}).get("stats", {})
    return f"{_fmt(s.get('p50_ms'))} / {_fmt(s.get('p99_ms'))} / {_fmt(s.get('max_ms'))} ms ({s.get('n', '–')})"


def _ratio_row(r):
    return f"{_fmt(r.get('p50'), 2)} / {_fmt(r.get('p99'), 2)} / {_fmt(r.get('max'), 2)}"


def _fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


SCENARIOS = [HealthyBesideDeadHost()]
