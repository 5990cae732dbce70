"""Priority scenario (a): local delivery latency while a bulk backlog for a slow remote domain fills
the outgoing queue (issue 5; mirrors PriorityRoutingIT's first test, measured).

Probes: messages to bob@example.com, submitted one at a time by alice (high priority: logged in);
latency = the 250 after DATA -> '* N EXISTS' in the answer to a NOOP an IMAP client of bob sends
every 10 ms. First unloaded; then `bulk` messages with 'Precedence: bulk' (low priority) to
list<n>@[127.0.0.70], the SLOW sink (2 s before each reply to the end of DATA, so at most
destinationConcurrency 20 / 2 s = 10 msg/s leave), over 4 sessions; once they are all accepted,
the spool is empty (all of them have reached the outgoing queue) and the sink has taken its first
ones, the same probes again while the backlog is still large. The backlog (outgoing queueSize and
the mails queued for the slow destination) is read at the start and the end of the loaded probes,
and the bulk messages the slow sink received meanwhile are counted.
"""

import time

import load
import prio_common as pc
from harness import BenchError, log


class LocalDuringBacklog:
    name = "local_during_backlog"
    title = "(a) local delivery during a remote bulk backlog"

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
        """One phase of local probes. A probe the polling session is not told about in time is looked
        for by a fresh IMAP session: in the mailbox (delivered, but the selected session's NOOPs did not
        report it: recorded as `unreported`) or not (not delivered: a failure)."""
        watcher = load.ImapWatcher(instance.imap_port, pc.BOB, pc.PASSWORD, True, "poll")
        session = pc.Submission(instance.submission_port)
        base = watcher.exists
        missed = []

        def send_one(i):
            return session.send(pc.BOB, pc.message(pc.BOB, pc.message_id(tag, i), f"local probe {i}"))

        def wait_seen(i, timeout):
            seen = watcher.wait_exists(base + i + 1, timeout)
            if seen is None:
                found = pc.imap_search_message_id(instance.imap_port, pc.BOB, pc.message_id(tag, i))
                missed.append({"probe": i, "message_id": pc.message_id(tag, i), "in_mailbox_at": found,
                               "poller_failure": watcher.failure,
                               "checked_at": time.strftime("%Y-%m-%d %H:%M:%S")})
                log(f"{label}: probe {i} " + (f"is in bob's INBOX (message {found}), but the polling session's "
                                             "NOOPs did not report it" if found else "is not in bob's INBOX"))
            return seen

        try:
            record, t_first, t_last = pc.measure(instance.system, label, count or ctx.probes, ctx.gap_s,
                                                 ctx.probe_timeout_s, send_one, wait_seen)
        finally:
            session.close()
            watcher.close()
        record["unreported"] = [m for m in missed if m["in_mailbox_at"]]
        record["not_in_mailbox"] = [m for m in missed if not m["in_mailbox_at"]]
        return record, t_first, t_last

    def measure(self, ctx, instance, failures):
        slow_domain = pc.SLOW_IP  # how the queue listing names [127.0.0.70]
        record = {"probes_per_phase": ctx.probes, "gap_ms": round(ctx.gap_s * 1000),
                  "quiet_before_unloaded": ctx.wait_quiet()}
        if ctx.warmup_probes:  # the same probes unmeasured first: the JIT's C2 compiler is still busy otherwise
            record["warmup_probes"], _, _ = self.probes(ctx, instance, "(a) warm-up probes", "local-warmup",
                                                        ctx.warmup_probes)
            record["warmup_probes"].pop("raw_ms", None)
            record["quiet_before_unloaded"] = ctx.wait_quiet()
        record["unloaded"], _, _ = self.probes(ctx, instance, "(a) unloaded", "local-unloaded")

        bulk_started = time.monotonic()
        instance.outgoing.dirty = True
        record["bulk_submission"] = pc.submit_many(
            instance.submission_port, ctx.bulk, ctx.sessions, lambda i: f"list{i}@{instance.slow.domain}", "bulk",
            extra_headers=("Precedence: bulk",))
        if record["bulk_submission"]["accepted"] != ctx.bulk:
            failures.append(f"bulk: {record['bulk_submission']['accepted']} of {ctx.bulk} accepted: "
                            f"{record['bulk_submission']['errors']}")
        # the backlog: everything through the spool into the outgoing queue, the sink busy with the first ones
        first = min(20, max(1, ctx.bulk // 100))
        deadline = time.monotonic() + ctx.backlog_timeout_s
        while time.monotonic() < deadline:
            if instance.slow.count() >= first and instance.outgoing.spool_size() == 0:
                break
            time.sleep(0.25)
        else:
            failures.append(f"no settled backlog within {ctx.backlog_timeout_s} s: spool "
                            f"{instance.outgoing.spool_size()}, slow sink {instance.slow.count()}")
        record["backlog_ready_after_s"] = round(time.monotonic() - bulk_started, 1)
        before = instance.outgoing.summary(slow_domain)
        slow_before = instance.slow.count()
        record["backlog_at_start"] = {**before, "spool": instance.outgoing.spool_size(),
                                      "slow_sink_received_so_far": slow_before}
        log(f"(a) backlog at the start of the loaded probes: outgoing {before['queue_size']}, for the slow sink "
            f"{before['for_domain']}, spool {record['backlog_at_start']['spool']}, "
            f"slow sink has {slow_before}")
        if (before["for_domain"] or 0) < ctx.bulk // 2:
            failures.append(f"backlog too small when the loaded probes started: {before['for_domain']} of "
                            f"{ctx.bulk} bulk mails queued for the slow sink")

        loaded, t_first, t_last = self.probes(ctx, instance, "(a) during the backlog", "local-loaded")
        record["loaded"] = loaded
        after = instance.outgoing.summary(slow_domain)
        record["backlog_at_end"] = {**after, "spool": instance.outgoing.spool_size(),
                                    "slow_sink_received_so_far": instance.slow.count()}
        record["bulk_delivered_during_measurement"] = instance.slow.arrived_between(t_first, t_last) if t_first else 0
        record["bulk_replied_during_measurement"] = instance.slow.replied_between(t_first, t_last) if t_first else 0
        record["bulk_rate_during_measurement_msg_s"] = round(
            record["bulk_delivered_during_measurement"] / max(t_last - t_first, 1e-9), 2) if t_first else None
        record["slow_sink"] = instance.slow.record()
        # the slow sink's arrivals every 2 s from the first bulk submission to the end of the loaded probes
        # (offsets in s from the submission's start: when the backlog was worked through, and how fast)
        record["slow_sink_timeline"] = {
            "bucket_s": 2.0, "counts": instance.slow.timeline(bulk_started, time.monotonic(), 2.0),
            "bulk_submitted_s": round(record["bulk_submission"]["seconds"], 1),
            "loaded_probes_s": [round(t_first - bulk_started, 1), round(t_last - bulk_started, 1)] if t_first else None}
        record["ratios"] = pc.ratios(record["unloaded"]["stats"], loaded["stats"])
        log(f"(a) backlog at the end: outgoing {after['queue_size']}, for the slow sink {after['for_domain']}; "
            f"{record['bulk_delivered_during_measurement']} bulk delivered during the probes; "
            f"p99 ratio {record['ratios']['p99']}")
        # the same probes once more with the queue emptied: how much of the difference is the JVM warming up
        record["outgoing_removed_before_unloaded_after"] = instance.outgoing.clear()
        record["quiet_before_unloaded_after"] = ctx.wait_quiet()
        record["unloaded_after"], _, _ = self.probes(ctx, instance, "(a) unloaded again", "local-after")
        record["ratios_vs_unloaded_after"] = pc.ratios(record["unloaded_after"]["stats"], loaded["stats"])
        for phase in pc.PHASES:
            stats = record[phase]["stats"]
            unreported = len(record[phase]["unreported"])
            missing = stats["not_delivered"] + ctx.probes - stats["probes"] - unreported
            if missing:
                failures.append(f"{phase}: {missing} of {ctx.probes} probes not delivered to bob's INBOX (not seen "
                                f"within {ctx.probe_timeout_s:.0f} s, and not there when looked for)")
            if unreported:
                record.setdefault("notices", []).append(
                    f"{phase}: {unreported} probe(s) in bob's INBOX that the IMAP session polling with NOOP was not "
                    f"told about within {ctx.probe_timeout_s:.0f} s (left out of the percentiles): "
                    + ", ".join(f"{m['message_id']} (checked {m['checked_at']})" for m in record[phase]["unreported"]))
        return record

    @staticmethod
    def markdown(record):
        u, l, r = record["unloaded"]["stats"], record.get("loaded", {}).get("stats", {}), record.get("ratios", {})
        start, end = record.get("backlog_at_start", {}), record.get("backlog_at_end", {})
        fmt = _fmt
        return [
            ("unloaded: p50 / p99 / max (n)", f"{fmt(u['p50_ms'])} / {fmt(u['p99_ms'])} / {fmt(u['max_ms'])} ms ({u['n']})"),
            ("during the backlog: p50 / p99 / max (n)",
             f"{fmt(l.get('p50_ms'))} / {fmt(l.get('p99_ms'))} / {fmt(l.get('max_ms'))} ms ({l.get('n', '–')})"),
            ("ratio loaded ÷ unloaded: p50 / p99 / max",
             f"{fmt(r.get('p50'), 2)} / {fmt(r.get('p99'), 2)} / {fmt(r.get('max'), 2)}"),
            ("p99 within 2× (the issue's target)", "yes" if r.get("p99_within_2x") else "no"),
            ("bulk submitted (Precedence: bulk, 4 sessions)",
             f"{record['bulk_submission']['accepted']} of {record['bulk_submission']['messages']} accepted in "
             f"{record['bulk_submission']['seconds']:.1f} s"),
            ("backlog at start → end of the loaded probes: outgoing queue",
             f"{fmt(start.get('queue_size'))} → {fmt(end.get('queue_size'))}"),
            ("… of which for the slow sink", f"{fmt(start.get('for_domain'))} → {fmt(end.get('for_domain'))}"),
            ("bulk messages received by the slow sink during the loaded probes",
             f"{record.get('bulk_delivered_during_measurement', '–')} in {record.get('loaded', {}).get('seconds', 0):.1f} s"
             f" (it can take 10/s: 20 sessions × 2 s)"),
            ("slow sink arrivals per 2 s from the bulk submission's start (submission ended at "
             f"{record.get('slow_sink_timeline', {}).get('bulk_submitted_s', '–')} s; loaded probes "
             f"{'–'.join(str(x) for x in (record.get('slow_sink_timeline', {}).get('loaded_probes_s') or []))} s)",
             " ".join(str(c) for c in record.get("slow_sink_timeline", {}).get("counts", []))),
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


SCENARIOS = [LocalDuringBacklog()]
