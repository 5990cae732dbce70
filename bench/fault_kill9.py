"""Fault scenario kill9: the server JVM killed (SIGKILL) in the middle of a load; is every message it
had accepted delivered, exactly once, after a restart on the same data directory?

Postino with 100 mailboxes; a Python SMTP client sends `kill_messages` 4 KiB messages over 20
persistent sessions, each message with its own Message-ID, and records which got the 250 after
DATA. Once `kill_after` have been accepted, and the spool still holds mail, the JVM gets SIGKILL.
Messages whose whole DATA had been written but whose reply never came are "in flight": either
outcome is right for them, they are reported apart. The server is started again (bin/postino start,
same home), the client sends the messages it had not started yet, the spool drains, and every
mailbox is read over IMAP (FETCH BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]): accepted, delivered, lost
(250 but in no mailbox), duplicated (in a mailbox more than once).
"""

import json
import os
import secrets
import signal
import threading
import time

import harness
import load
import systems
from harness import BenchError, log


class Kill9:
    name = "kill9"
    title = "kill -9 under load"

    def run(self, ctx):
        record = {"messages": ctx.kill_messages, "size_bytes": 4096, "sessions": ctx.sessions,
                  "mailboxes": ctx.mailboxes, "kill_after_accepted": ctx.kill_after, "failures": []}
        tag = f"kill9-{secrets.token_hex(4)}"
        instance = system = sender = None
        try:
            instance = ctx.server(self.name)
            system = instance.system
            record["instance"] = instance.record
            boxes = instance.mailboxes
            sender = load.TrackedSender(system.smtp_port, ctx.sessions, ctx.kill_messages,
                                        lambda i: boxes[i % len(boxes)], 4096, tag)
            t0 = time.monotonic()
            sender.start()
            spool = self._wait_for_kill_point(ctx, system, sender)
            pid = system.inner.pid
            os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic()
            accepted_at_kill = len(sender.accepted)
            log(f"Postino: SIGKILL to pid {pid} after {accepted_at_kill} accepted "
                f"({killed_at - t0:.1f} s), spool held {spool}")
            sender.join(60)
            while harness.alive(pid):
                time.sleep(0.05)
            record["kill"] = {"pid": pid, "seconds_into_load": round(killed_at - t0, 2),
                              "accepted_before_kill": accepted_at_kill, "spool_size_just_before": spool,
                              "client_after_kill": sender.summary()}
            log(f"Postino: client at the kill: {sender.summary()}")

            system.web.close()
            record["restart"] = system.start(180)
            log(f"Postino: restarted, ready after {record['restart']['start_to_ready_s']:.1f} s")
            sender.resume()
            if not sender.join(ctx.send_timeout):
                sender.stop("send timeout")
                sender.join(30)
            record["client"] = sender.summary()
            record["send_s_in_all"] = round(time.monotonic() - t0, 1)
            record["settle"] = load.wait_settled(system, len(sender.accepted), ctx.drain_timeout)
            if record["settle"].get("error"):
                record["failures"].append(f"after the restart: {record['settle']['error']}")
            record["queues_after"] = load.attempt(system.queue_sizes)
            record["mail_repositories_after"] = load.attempt(system.mail_repositories)
            record["log_errors"] = ctx.log_errors(system)
            found = load.mailbox_message_ids(system, boxes, systems.PASSWORD)
            record["count"] = load.account(sender, found)
        except BenchError as e:
            record["failures"].append(str(e))
            log(f"Postino: {self.name} FAILED: {e}\n{system.log_tail() if system else ''}")
        finally:
            if sender:
                sender.stop("scenario over")
            if instance:
                ctx.done(instance)
        count = record.get("count")
        if count:
            if count["lost"]:
                record["failures"].append(f"{count['lost']} accepted message(s) lost: {count['lost_ids'][:20]}")
            if count["duplicated"]:
                record["failures"].append(f"{count['duplicated']} message(s) delivered more than once: "
                                          f"{list(count['duplicated_ids'].items())[:20]}")
            if count["aborted_or_refused_but_delivered"]:
                record["failures"].append(f"message(s) delivered though their DATA never ended: "
                                          f"{count['aborted_or_refused_but_delivered'][:20]}")
            log(f"Postino: kill -9: {count['accepted']} accepted, {count['delivered']} delivered, "
                f"{count['lost']} lost, {count['duplicated']} duplicated; in flight {count['in_flight']} "
                f"({count['in_flight_delivered_once']} delivered, {count['in_flight_not_delivered']} not)")
        if record.get("kill") and not record["kill"]["spool_size_just_before"]:
            record["failures"].append("the spool was empty at the kill: nothing was at risk")
        return record

    @staticmethod
    def _wait_for_kill_point(ctx, system, sender):
        """Until kill_after messages are accepted and the spool holds mail; returns its size then (the
        last answer of a poller running all along: one answer takes a while under load)."""
        latest = []
        polling = threading.Event()
        web = systems.WebAdmin(system.webadmin_port)

        def poll():
            while not polling.is_set():
                try:
                    status, body = web.get("/mailQueues/spool")
                    if status == 200:
                        latest.append(int(json.loads(body)["size"]))
                except Exception:  # noqa: BLE001 - the kill is what matters, a missed sample is not
                    pass
                time.sleep(0.01)
            web.close()

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            deadline = time.monotonic() + ctx.send_timeout
            while len(sender.accepted) < ctx.kill_after or not (latest and latest[-1] > 0):
                if not sender.running():
                    if latest and latest[-1] > 0:
                        break
                    raise BenchError(f"the client ended before the kill point: {sender.summary()}")
                if time.monotonic() > deadline:
                    raise BenchError(f"kill point not reached in {ctx.send_timeout:.0f} s: {sender.summary()}")
                time.sleep(0.002)
            return latest[-1]
        finally:
            polling.set()  # not joined: an answer in progress must not delay the kill

    @staticmethod
    def markdown(record):
        count = record.get("count") or {}
        kill = record.get("kill") or {}
        rows = [
            ("messages (4 KiB, persistent sessions)", f"{record['messages']} over {record['sessions']} sessions, "
                                                               f"{record['mailboxes']} mailboxes"),
            ("SIGKILL after", f"{kill.get('accepted_before_kill', '–')} accepted, "
                              f"{kill.get('seconds_into_load', '–')} s into the load; the spool held "
                              f"{kill.get('spool_size_just_before', '–')} messages at the last look before it "
                              f"(WebAdmin; it never says more than 400)"),
            ("restart → ready", f"{(record.get('restart') or {}).get('start_to_ready_s') or 0:.1f} s"),
            ("accepted (250 after DATA), before the kill + after the restart (the client then sends what it "
             "had not started)", count.get("accepted", "–")),
            ("delivered (Message-ID in a mailbox)", count.get("delivered", "–")),
            ("**lost** (250, in no mailbox)", count.get("lost", "–")),
            ("**duplicated** (in a mailbox more than once)", count.get("duplicated", "–")),
            ("in flight at the kill (DATA written, no reply)", count.get("in_flight", "–")),
            ("… of which delivered once / more / not at all",
             f"{count.get('in_flight_delivered_once', '–')} / {count.get('in_flight_delivered_more', '–')} / "
             f"{count.get('in_flight_not_delivered', '–')}"),
            ("connection broke before the end of DATA (must not be delivered)",
             f"{count.get('aborted', '–')} (delivered anyway: {len(count.get('aborted_or_refused_but_delivered', []))})"),
            ("refused by the server", count.get("refused", "–")),
            ("spool drained and mailboxes settled after the restart", f"{(record.get('settle') or {}).get('seconds', '–')} s"),
            ("queues / mail repositories afterwards", f"{record.get('queues_after')} / {record.get('mail_repositories_after')}"),
        ]
        return rows


SCENARIOS = [Kill9()]
