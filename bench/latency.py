"""Scenario latency: SMTP accepted -> visible over IMAP, end to end.

A probe is one 4 KiB message to the probe mailbox over a persistent SMTP connection; its latency is
from the 250 after DATA to the moment an IMAP client sees it (for Postfix: Dovecot over the Maildir
Postfix writes), two ways at once: "poll" = '* N EXISTS' in the answer to a NOOP sent every 10 ms
(the headline figure), "idle" = '* N EXISTS' pushed to a client in IDLE (Dovecot delays IDLE
pushes by ~0.5 s by design). For Postfix also "file": the file in the Maildir. Probes go one after another,
50 ms apart. First on an idle server, then under a fixed-rate background load of 50% of the
delivered msg/s that this system reached in inbound_4k on the same instance (open-loop: messages
are due on a fixed schedule whatever the server does, over 20 persistent connections).
"""

import time

import load
from harness import log

GROUP = "mailboxes"


def stats(latencies):
    seen = sorted(v for v in latencies if v is not None)
    return {"probes": len(latencies), "not_visible": sum(1 for v in latencies if v is None),
            "p50_ms": load.percentile(seen, 50), "p99_ms": load.percentile(seen, 99),
            "max_ms": seen[-1] if seen else None}


class Latency:
    name = "latency"
    group = GROUP
    rounds = "all"
    metrics = [
        ("latency.idle_p50_ms", "latency SMTP 250 → visible over IMAP (NOOP every 10 ms), idle: p50", "ms", 1),
        ("latency.idle_p99_ms", "latency SMTP 250 → visible over IMAP (NOOP every 10 ms), idle: p99", "ms", 1),
        ("latency.load_p50_ms", "latency, same, under 50% load (open-loop): p50", "ms", 1),
        ("latency.load_p99_ms", "latency, same, under 50% load (open-loop): p99", "ms", 1),
        ("latency.idle_push_p50_ms", "latency SMTP 250 → IMAP IDLE push, idle: p50", "ms", 1),
        ("latency.idle_push_p99_ms", "latency SMTP 250 → IMAP IDLE push, idle: p99", "ms", 1),
        ("latency.load_push_p50_ms", "latency SMTP 250 → IMAP IDLE push, 50% load: p50", "ms", 1),
        ("latency.load_push_p99_ms", "latency SMTP 250 → IMAP IDLE push, 50% load: p99", "ms", 1),
        ("latency.not_visible_poll", "latency probes never seen by NOOP polling within 30 s", "", 0),
        ("latency.not_visible_push", "latency probes never pushed to the IDLE client within 30 s", "", 0),
    ]

    def run(self, ctx, system):
        record = {}
        idle = load.latency_probes(system, ctx.probes)
        record["idle"] = {method: stats(values) for method, values in idle.items()}
        capacity = ctx.results.get("inbound_4k", {}).get("delivered_msg_s") or ctx.default_capacity
        rate = max(1.0, capacity / 2)
        sender = load.OpenLoopSender(system.smtp_port, rate, ctx.mailboxes)
        with load.OtherCpu(system) as cpu:
            sender.start()
            time.sleep(ctx.load_warmup_s)
            loaded = load.latency_probes(system, ctx.probes)
            background = sender.stop()
        record["load"] = {method: stats(values) for method, values in loaded.items()}
        record["background"] = {"capacity_basis_msg_s": capacity, **background, **cpu.record()}
        record["raw_ms"] = {phase: {method: [None if v is None else round(v, 2) for v in values]
                                    for method, values in data.items()}
                            for phase, data in (("idle", idle), ("load", loaded))}
        for phase in ("idle", "load"):
            for key in ("p50_ms", "p99_ms"):
                record[f"{phase}_{key}"] = record[phase]["poll"][key]
                record[f"{phase}_push_{key}"] = record[phase]["idle"][key]
                if "file" in record[phase]:
                    record[f"{phase}_file_{key}"] = record[phase]["file"][key]
        record["not_visible_poll"] = record["idle"]["poll"]["not_visible"] + record["load"]["poll"]["not_visible"]
        record["not_visible_push"] = record["idle"]["idle"]["not_visible"] + record["load"]["idle"]["not_visible"]
        ctx.counted_before = None  # the background load added messages: count again next time
        log(f"{system.label}: latency idle p50 {record['idle_p50_ms'] or 0:.1f} / p99 {record['idle_p99_ms'] or 0:.1f} ms; "
            f"under {background['achieved_rate']:.0f} msg/s (target {rate:.0f}) p50 {record['load_p50_ms'] or 0:.1f} / "
            f"p99 {record['load_p99_ms'] or 0:.1f} ms")
        return record


SCENARIOS = [Latency()]
