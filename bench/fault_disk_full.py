"""Fault scenario disk_full: Postino's data directory on a size-capped file system; does it refuse new
mail with 452 4.3.1 before the disk is full, and deliver every message it had accepted, exactly once?

The instance's data directory (POSTINO_HOME/var: spool, mailboxes, TLS key) is a tmpfs mounted before
the start and unmounted on every way out (the shell's EXIT trap too). RequireFreeSpaceHook (checked
at MAIL FROM) keeps `minFreeSpace` free: the shipped 256M, which the instance's smtpserver.xml lowers
to `disk_min_free_mib` on a `disk_size_mib` tmpfs (disk_full), or keeps on a
`shipped_disk_size_mib` one (disk_full_shipped). A Python SMTP client sends 100 KiB messages (unique
Message-IDs) over 20 persistent sessions until the server answers 452 (code, enhanced status 4.3.1
and text recorded), every session finishing the transaction it is in. Free space and the spool's size
are sampled meanwhile (the spool's size as WebAdmin gives it: it never exceeded 400 in our runs,
ActiveMQ's queue browser seems to stop there). Then the spool drains and every mailbox is read over IMAP. If not every
accepted message is there once, or the disk filled up anyway (ENOSPC in the log), the server is
stopped, the tmpfs grown to twice its size (what an administrator would do) and the server started
again: the second count says whether the mail was only held up or lost.
"""

import json
import os
import re
import secrets
import threading
import time

import load
import systems
from harness import BenchError, log

SIZE = 100 * 1024


def free_mib(path):
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize / (1024 * 1024)


class DiskFull:
    def __init__(self, name, title, shipped_threshold):
        self.name = name
        self.title = title
        self.shipped_threshold = shipped_threshold
        self.smoke = not shipped_threshold  # the smoke run's shared instance has the lowered threshold

    def sizes(self, ctx):
        if self.shipped_threshold:
            return ctx.shipped_disk_size_mib, None
        return ctx.disk_size_mib, ctx.disk_min_free_mib

    def run(self, ctx):
        """ctx.disk_runs runs, each on a fresh instance (what happens once the disk is full varies from
        run to run); the record has them all under "runs", their failures prefixed with the run."""
        runs = [self.one_run(ctx, f"{self.name}-{k}" if ctx.disk_runs > 1 else self.name)
                for k in range(1, ctx.disk_runs + 1)]
        failures = [(f"run {k}: " if len(runs) > 1 else "") + f for k, r in enumerate(runs, 1) for f in r["failures"]]
        return {"runs": runs, "failures": failures}

    def one_run(self, ctx, name):
        size_mib, min_free_mib = self.sizes(ctx)
        record = {"fs_size_mib": size_mib, "min_free_space_mib": min_free_mib or 256,
                  "min_free_space_shipped": min_free_mib is None, "size_bytes": SIZE, "sessions": ctx.sessions,
                  "mailboxes": ctx.mailboxes, "failures": []}
        limit = int(size_mib * 1024 * 1024 / SIZE)  # more than could ever fit: a 452 must come first
        tag = f"disk-{secrets.token_hex(4)}"
        instance = system = sender = None
        try:
            instance = ctx.server(name, disk=(size_mib, min_free_mib))
            system = instance.system
            record["instance"] = instance.record
            data = instance.data
            boxes = instance.mailboxes
            record["free_mib_at_begin"] = round(free_mib(data), 1)
            sender = load.TrackedSender(system.smtp_port, ctx.sessions, limit, lambda i: boxes[i % len(boxes)], SIZE,
                                        tag, stop_on=lambda code, _text: code == 452, reconnect=True)
            free_samples, spool_samples = [], []
            watching = threading.Event()
            web = systems.WebAdmin(system.webadmin_port)  # its own connection: the main thread's is not shared

            def watch_free():
                while not watching.is_set():
                    free_samples.append((round(time.monotonic() - t0, 2), round(free_mib(data), 1)))
                    time.sleep(0.1)

            def watch_spool():  # one answer takes seconds once the spool holds hundreds of messages
                while not watching.is_set():
                    try:
                        status, body = web.get("/mailQueues/spool")
                        spool = int(json.loads(body)["size"]) if status == 200 else None
                    except Exception:  # noqa: BLE001 - a sample, not a verdict: the server may be failing
                        spool = None
                    spool_samples.append((round(time.monotonic() - t0, 2), spool))
                    time.sleep(0.2)

            t0 = time.monotonic()
            watchers = [threading.Thread(target=watch_free, daemon=True),
                        threading.Thread(target=watch_spool, daemon=True)]
            for watcher in watchers:
                watcher.start()
            sender.start()
            if not sender.join(ctx.send_timeout):
                sender.stop("send timeout")
                sender.join(60)
            record["send_s"] = round(time.monotonic() - t0, 1)
            record["free_mib_at_stop"] = round(free_mib(data), 1)
            time.sleep(1.0)
            watching.set()
            for watcher in watchers:
                watcher.join(15)
            web.close()
            record["samples_free_mib"] = free_samples
            record["samples_spool"] = spool_samples
            spools = [s for _, s in spool_samples if s is not None]
            record["spool_max_during_fill"] = max(spools, default=None)
            record["spool_at_stop"] = spools[-1] if spools else None
            record["free_mib_min_during_fill"] = min((f for _, f in free_samples), default=None)
            record["client"] = sender.summary()
            refusals = sorted(sender.refused.items())
            first_452 = next(((i, r) for i, r in refusals if r["code"] == 452), None)
            record["refusals"] = {"count": len(refusals), "codes": sorted({r["code"] for _, r in refusals}),
                                  "first": [dict(r, message=i) for i, r in refusals[:5]]}
            if first_452:
                record["reply_452"] = first_452[1]
            log(f"Postino: {name}: {len(sender.accepted)} accepted, then "
                f"{first_452[1]['stage'] + ': ' + first_452[1]['reply'] if first_452 else 'no 452'}; "
                f"free {record['free_mib_at_stop']:.0f} MiB, spool {record['spool_at_stop']}")
            record["after_fill"] = self.delivery(ctx, system, sender, boxes, data, since=0)
            log(f"Postino: {name}: after the fill: {self.summary(record['after_fill'])}")
            if not self.complete(record["after_fill"]):
                # what an administrator would do: more space, a restart; was the mail held up or lost?
                log(f"Postino: {name}: restarting with the data disk grown to {2 * size_mib} MiB")
                try:
                    record["restart_with_more_space"] = instance.grow_and_restart(2 * size_mib)
                except BenchError as e:
                    instance.keep_data = True
                    record["restart_with_more_space"] = {"error": str(e)}
                    missing = record["after_fill"].get("count", {}).get("lost", "?")
                    record["failures"].append(f"after the disk filled up, Postino does not start again (even with "
                                              f"twice the space): {str(e).splitlines()[0][:300]}; the {missing} "
                                              f"accepted messages not yet delivered are only in its spool store")
                    raise
                record["after_restart"] = self.delivery(ctx, system, sender, boxes, data,
                                                        since=instance.record["log_lines_at_restart"])
                log(f"Postino: {name}: after the restart: {self.summary(record['after_restart'])}")
        except BenchError as e:
            if "error" not in record.get("restart_with_more_space", {}):
                record["failures"].append(str(e))
            log(f"Postino: {name} FAILED: {e}\n{system.log_tail() if system else ''}")
        finally:
            if sender:
                sender.stop("scenario over")
            if instance:
                ctx.done(instance)
        self.check(record)
        return record

    @staticmethod
    def delivery(ctx, system, sender, boxes, data, since):
        """Settle, then count by Message-ID; every step recorded, a server that cannot answer too; the
        server log from line `since` on."""
        settle = load.wait_settled(system, len(sender.accepted), min(60, ctx.drain_timeout))
        if settle.get("error") and not ctx.log_errors(system, since).get("processing_paused"):
            # not paused for lack of space: give it the full time
            settle = load.wait_settled(system, len(sender.accepted), max(0, ctx.drain_timeout - 60))
        result = {"settle": settle}
        result["free_mib_after"] = round(free_mib(data), 1)
        result["queues"] = load.attempt(system.queue_sizes)
        result["mail_repositories"] = load.attempt(system.mail_repositories)
        found = load.attempt(load.mailbox_message_ids, system, boxes, systems.PASSWORD)
        if isinstance(found, dict):
            result["count_error"] = found["error"]
        else:
            result["count"] = load.account(sender, found)
        result["log"] = ctx.log_errors(system, since)
        return result

    @staticmethod
    def complete(result):
        count = result.get("count")
        return (count is not None and not count["lost"] and not count["duplicated"]
                and not result["settle"].get("error") and not result["log"].get("no_space_left"))

    @staticmethod
    def held(record, result):
        """The mail missing after the fill is waiting in the spool because Postino paused processing (its log says
        so), rather than lost: no duplicate, no full disk, and the spool holds at least as many as are missing."""
        count = result.get("count")
        spool = result.get("queues", {}).get("spool") if isinstance(result.get("queues"), dict) else None
        return (count is not None and not count["duplicated"] and not result["log"].get("no_space_left")
                and result["log"].get("processing_paused", 0) > 0
                and isinstance(spool, int) and spool >= count["lost"])

    @staticmethod
    def summary(result):
        count = result.get("count")
        text = (f"{count['delivered']} of {count['accepted']} accepted delivered, {count['lost']} missing, "
                f"{count['duplicated']} duplicated" if count else f"no count: {result.get('count_error')}")
        if result["settle"].get("error"):
            text += f"; spool: {result['settle']['error'][:200]}"
        if result["log"].get("no_space_left"):
            text += f"; 'No space left on device' {result['log']['no_space_left']} times in the log"
        return text

    @staticmethod
    def check(record):
        failures = record["failures"]
        if "after_fill" not in record:
            return
        reply = record.get("reply_452")
        if not reply:
            failures.append(f"no 452 before {record['client']['taken']} messages were sent: {record['refusals']}")
        elif not re.match(r"452[ -]4\.3\.1\b", reply["reply"]):
            failures.append(f"452 without enhanced status 4.3.1: {reply['reply']!r}")
        if [c for c in record["refusals"]["codes"] if c != 452]:
            failures.append(f"refusals other than 452: {record['refusals']['first']}")
        if record["client"]["in_flight"] or record["client"]["aborted"]:
            failures.append(f"connections broke during the fill: {record['client']}")
        fill = record["after_fill"]
        if fill["log"].get("no_space_left"):
            failures.append(f"the data disk filled up after the 452 (the accepted backlog, {record.get('spool_at_stop')} "
                            f"in the spool, was delivered into it): 'No space left on device' "
                            f"{fill['log']['no_space_left']} times in the server log")
        if not DiskFull.complete(fill) and DiskFull.held(record, fill):
            # Postino paused the spool below queue.pauseBelowFreeSpace: the mail not yet delivered waits in the
            # queue, as designed; the verdict is the count after the restart with more space.
            record["held_after_fill"] = (f"{fill['count']['lost']} accepted messages held in the spool "
                                         f"(processing paused below queue.pauseBelowFreeSpace), none lost or duplicated")
            if "after_restart" not in record:
                failures.append("mail was held after the fill but the restart with more space did not happen")
        elif not DiskFull.complete(fill):
            failures.append(f"after the fill: {DiskFull.summary(fill)}"
                            + (f"; missing: {fill['count']['lost_ids'][:10]}" if fill.get("count") else ""))
        after = record.get("after_restart")
        if after and not DiskFull.complete(after):
            count = after.get("count")
            failures.append(f"after a restart with twice the space: {DiskFull.summary(after)}"
                            + (f"; LOST for good: {count['lost_ids'][:20]}" if count and count["lost"] else ""))

    @staticmethod
    def markdown(record):
        """Rows (label, [value per run])."""
        tables = [DiskFull.markdown_run(run) for run in record.get("runs", [])]
        labels = []
        for table in tables:
            labels += [label for label, _ in table if label not in labels]
        return [(label, [dict(table).get(label, "–") for table in tables]) for label in labels]

    @staticmethod
    def markdown_run(record):
        reply = record.get("reply_452") or {}

        def count_rows(label, result):
            if not result:
                return []
            count = result.get("count") or {}
            return [
                (f"{label}: spool drained / mailboxes settled",
                 f"{result['settle'].get('seconds')} s" + (f", **{result['settle']['error'][:160]}**"
                                                           if result["settle"].get("error") else "")),
                (f"{label}: accepted (250) / delivered (Message-ID in a mailbox)",
                 f"{count.get('accepted', '–')} / {count.get('delivered', '–')}"
                 + (f" (count failed: {result.get('count_error', '')[:120]})" if not count else "")),
                (f"{label}: **missing** (accepted, in no mailbox) / **duplicated**",
                 f"{count.get('lost', '–')} / {count.get('duplicated', '–')}"),
                (f"{label}: free afterwards; queues; mail repositories",
                 f"{result.get('free_mib_after')} MiB; {result.get('queues')}; {result.get('mail_repositories')}"),
                (f"{label}: 'No space left on device' / ERROR lines in the server log (this phase)",
                 f"{result['log'].get('no_space_left', '–')} / {result['log'].get('error_lines', '–')}"),
                (f"{label}: processing paused for lack of space (queue.pauseBelowFreeSpace, times logged)",
                 result["log"].get("processing_paused", "–")),
            ]

        threshold = (f"minFreeSpace {record['min_free_space_mib']}M as shipped" if record["min_free_space_shipped"]
                     else f"minFreeSpace {record['min_free_space_mib']}M (shipped: 256M) in the instance's "
                          f"smtpserver.xml")
        rows = [
            ("data directory", f"tmpfs of {record['fs_size_mib']} MiB; {threshold}"),
            ("free when the fill began", f"{record.get('free_mib_at_begin', '–')} MiB"),
            ("messages sent", f"100 KiB each, {record['sessions']} persistent sessions, {record['mailboxes']} "
                              f"mailboxes; {(record.get('client') or {}).get('taken', '–')} started, "
                              f"{(record.get('client') or {}).get('accepted', '–')} accepted in "
                              f"{record.get('send_s', '–')} s"),
            ("refusal", f"`{reply.get('reply', 'none')}` at {reply.get('stage', '–')}"),
            ("refused in all (sessions finishing their transaction after the first 452)",
             (record.get("refusals") or {}).get("count", "–")),
            ("free when the client stopped (after the first 452) / lowest sampled during the fill",
             f"{record.get('free_mib_at_stop', '–')} / "
                                                                      f"{record.get('free_mib_min_during_fill', '–')} MiB"),
            ("spool (accepted, not yet delivered) at the stop / largest during the fill",
             f"{record.get('spool_at_stop', '–')} / {record.get('spool_max_during_fill', '–')}"),
        ]
        rows += count_rows("after the fill", record.get("after_fill"))
        if record.get("held_after_fill"):
            rows.append(("after the fill: verdict", record["held_after_fill"]))
        restart = record.get("restart_with_more_space")
        if restart:
            rows.append(("then: stopped, tmpfs grown to twice the size, started again",
                         f"**does not start**: `{restart['error'].splitlines()[0][:300]}`" if "error" in restart
                         else f"ready after {restart.get('start_to_ready_s') or 0:.1f} s"))
        rows += count_rows("after the restart", record.get("after_restart"))
        return rows


SCENARIOS = [DiskFull("disk_full", "full data disk (minFreeSpace lowered)", shipped_threshold=False),
             DiskFull("disk_full_shipped", "full data disk (minFreeSpace as shipped)", shipped_threshold=True)]
