"""Load tools shared by the scenarios: Postfix's smtp-source (closed-loop bursts), an open-loop
fixed-rate SMTP sender, an IMAP IDLE watcher and the end-to-end latency probe, and a meter of the
CPU that other work on the machine used meanwhile."""

import base64
import collections
import os
import queue
import re
import socket
import ssl
import subprocess
import threading
import time

import harness
from harness import LOOPBACK, BenchError, log
from systems import DOMAIN, PASSWORD, PROBE

SENDER = "bench@sender.test"
CLIENT_NAME = "bench.client"


# ---------------------------------------------------------------------------------------------
# smtp-source

def smtp_source_commands(port, messages, sessions, size, mailboxes):
    """smtp-source processes that together send `messages` messages of `size` payload bytes over
    `sessions` concurrent sessions, spread evenly over the mailboxes 1u..<mailboxes>u. smtp-source
    -N numbers the recipients 1, 2, 3... per process, so each process sends `mailboxes` messages
    at most (one per mailbox) and the processes share the sessions (as evenly as they divide)."""
    if messages % mailboxes and messages > mailboxes:
        raise BenchError(f"{messages} messages do not spread evenly over {mailboxes} mailboxes")
    processes = max(1, messages // mailboxes)
    per_process = messages // processes
    if processes > sessions:
        raise BenchError(f"{messages} messages need {processes} smtp-source processes, more than {sessions} sessions")
    commands = []
    for k in range(processes):
        share = sessions // processes + (1 if k < sessions % processes else 0)
        flags = ["-s", str(share), "-m", str(per_process), "-l", str(size), "-N",
                 "-t", f"u@{DOMAIN}", "-f", SENDER, "-M", CLIENT_NAME]
        commands.append(["smtp-source", *flags, f"{LOOPBACK}:{port}"])
    return commands


def run_smtp_source(commands, timeout):
    """Runs the commands in parallel; returns (seconds until the last one ended, [exit codes], stderr)."""
    started = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in commands]
    errors = []
    codes = []
    for proc in procs:
        remaining = max(1.0, timeout - (time.monotonic() - started))
        try:
            _, err = proc.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            err = (err or "") + f"\n(killed after {timeout:.0f}s)"
        codes.append(proc.returncode)
        if err.strip():
            errors.append(err.strip()[-500:])
    return time.monotonic() - started, codes, errors


def wait_delivered(system, expected_total, timeout, interval=0.05):
    """Polls until every accepted message is in a mailbox. For the JVMs the spool queue's size
    (cheap) going to 0 marks the moment, then one sweep over all mailboxes confirms the count;
    for Postfix the Maildir files are counted directly. Returns (monotonic time it was reached or
    None, the count then)."""
    deadline = time.monotonic() + timeout
    if system.name == "postfix":
        while time.monotonic() < deadline:
            count = system.delivered_total()
            if count >= expected_total:
                return time.monotonic(), count
            time.sleep(interval)
        return None, system.delivered_total()
    while time.monotonic() < deadline:
        if system.queue_size() == 0:
            reached = time.monotonic()
            count = system.delivered_total()
            if count >= expected_total:
                return reached, count
            # spool empty but not all in mailboxes yet (a mail between two processors): keep polling
        time.sleep(interval)
    return None, system.delivered_total()


def wait_queue_empty(system, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if system.queue_size() == 0:
            return True
        time.sleep(interval)
    return False


def wait_settled(system, expected, timeout, quiet_s=3.0, error_grace=15.0):
    """After a fault: until the spool queue is empty and the mailboxes hold `expected` messages, or
    their count has not moved for quiet_s seconds with the queue empty (some may be lost: the
    caller counts them). A server that cannot answer (WebAdmin errors) for error_grace seconds in a
    row ends the wait too, with "error". Returns {"seconds", "queue_empty", "count"[, "error"]}."""
    started = time.monotonic()
    deadline = started + timeout
    last, since, failing_since, empty = None, time.monotonic(), None, False
    while time.monotonic() < deadline:
        try:
            empty = system.queue_size() == 0
            count = system.delivered_total()
        except (BenchError, OSError) as e:
            failing_since = failing_since or time.monotonic()
            if time.monotonic() - failing_since > error_grace:
                return {"seconds": round(time.monotonic() - started, 1), "queue_empty": None, "count": last,
                        "error": str(e)[:500]}
            time.sleep(0.5)
            continue
        failing_since = None
        if count != last:
            last, since = count, time.monotonic()
        if empty and (count >= expected or time.monotonic() - since >= quiet_s):
            return {"seconds": round(time.monotonic() - started, 1), "queue_empty": True, "count": count}
        time.sleep(0.5)
    return {"seconds": round(time.monotonic() - started, 1), "queue_empty": empty, "count": last,
            "error": f"not settled within {timeout:.0f} s"}


def attempt(function, *args):
    """function(*args), or {"error": ...} if the server could not answer (after a fault)."""
    try:
        return function(*args)
    except (BenchError, OSError) as e:
        return {"error": str(e)[:500]}


def mailbox_message_ids(system, users, password):
    """Every Message-ID in every mailbox of the users (over IMAP), as often as each is stored."""
    found = []
    for user in users:
        for ids in imap_message_ids(system.imap_port, user, password, system.imap_starttls).values():
            found.extend(ids)
    return found


def account(sender, found, listed=100):
    """What became of a TrackedSender's messages, from the Message-IDs found where they should have
    arrived (mailboxes, a sink), each id as many times as it was found:
      lost        accepted (250) and not found,
      duplicated  found more than once (accepted or in flight),
      in flight   found once / twice or more / not at all, reported apart (either outcome is right),
      aborted or refused and yet found: must be 0; other: found ids not sent by this sender."""
    counts = collections.Counter(found)
    accepted = {sender.message_id(i) for i in sender.accepted}
    in_flight = {sender.message_id(i) for i in sender.in_flight}
    never = {sender.message_id(i) for i in list(sender.aborted) + list(sender.refused)}
    ours = accepted | in_flight | never
    lost = sorted(accepted - counts.keys(), key=_id_order)
    duplicated = {m: n for m, n in counts.items() if n > 1 and m in ours}
    return {
        "accepted": len(accepted),
        "delivered": sum(1 for m in accepted if counts[m] >= 1),
        "lost": len(lost), "lost_ids": lost[:listed],
        "duplicated": len(duplicated),
        "duplicated_ids": dict(sorted(duplicated.items(), key=lambda kv: _id_order(kv[0]))[:listed]),
        "in_flight": len(in_flight),
        "in_flight_delivered_once": sum(1 for m in in_flight if counts[m] == 1),
        "in_flight_delivered_more": sum(1 for m in in_flight if counts[m] > 1),
        "in_flight_not_delivered": sum(1 for m in in_flight if counts[m] == 0),
        "in_flight_ids": {m: counts[m] for m in sorted(in_flight, key=_id_order)[:listed]},
        "aborted": len(sender.aborted), "refused": len(sender.refused),
        "aborted_or_refused_but_delivered": sorted((m for m in never if counts[m]), key=_id_order)[:listed],
        "found_total": sum(counts.values()),
        "found_other": sum(n for m, n in counts.items() if m not in ours),
    }


def _id_order(message_id):
    number = re.search(r"-(\d+)@", message_id or "")
    return (int(number.group(1)) if number else -1, message_id or "")


# ---------------------------------------------------------------------------------------------
# CPU used by other work while a measurement runs

class OtherCpu:
    """other_cpu_s = CPU used on the whole machine - by the system's processes - by this harness
    and its children (smtp-source): what other work on the machine took meanwhile."""

    def __init__(self, system):
        self.system = system

    def __enter__(self):
        self.t0 = time.monotonic()
        self.machine0 = harness.machine_cpu_seconds()
        self.server0 = self.system.server_cpu_s()
        self.own0 = harness.own_cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.monotonic() - self.t0
        self.server_cpu_s = self.system.server_cpu_s() - self.server0
        self.own_cpu_s = harness.own_cpu_seconds() - self.own0
        machine = harness.machine_cpu_seconds() - self.machine0
        self.other_cpu_s = max(0.0, machine - self.server_cpu_s - self.own_cpu_s)
        return False

    def record(self):
        return {"server_cpu_s": round(self.server_cpu_s, 2), "harness_and_load_cpu_s": round(self.own_cpu_s, 2),
                "other_cpu_s": round(self.other_cpu_s, 2),
                "other_cpu_share": round(self.other_cpu_s / max(self.elapsed, 1e-9), 3)}


# ---------------------------------------------------------------------------------------------
# a minimal SMTP client on a raw socket (cheap enough to drive a few hundred msg/s from Python)

class SmtpConnection:
    """auth=(user, password): STARTTLS, EHLO again, then AUTH PLAIN (what a submission client does)."""

    def __init__(self, port, timeout=60.0, auth=None, host=LOOPBACK):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self._expect(220)
        self._command(f"EHLO {CLIENT_NAME}", 250)
        if auth:
            self._command("STARTTLS", 220)
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            self.file.close()
            self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
            self.file = self.sock.makefile("rb")
            self._command(f"EHLO {CLIENT_NAME}", 250)
            user, password = auth
            token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
            self._command(f"AUTH PLAIN {token}", 235)

    def _reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise BenchError("SMTP connection closed by the server")
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]), b"".join(lines)

    def reply(self):
        """The next reply: (code, text without CRLF, lines joined by ' | ')."""
        code, text = self._reply()
        return code, " | ".join(text.decode("ascii", "replace").splitlines())

    def ask(self, line):
        self.sock.sendall(line.encode("ascii") + b"\r\n")
        return self.reply()

    def _expect(self, code):
        got, text = self._reply()
        if got != code:
            raise BenchError(f"SMTP: expected {code}, got {text.decode('ascii', 'replace').strip()}")
        return text

    def _command(self, line, code):
        self.sock.sendall(line.encode("ascii") + b"\r\n")
        return self._expect(code)

    def send(self, recipient, body):
        """One transaction; returns the monotonic time the 250 after DATA arrived."""
        self._command(f"MAIL FROM:<{SENDER}>", 250)
        self._command(f"RCPT TO:<{recipient}>", 250)
        self._command("DATA", 354)
        self.sock.sendall(body)
        self._expect(250)
        return time.monotonic()

    def close(self):
        try:
            self.sock.sendall(b"QUIT\r\n")
        except OSError:
            pass
        self.sock.close()


def message(recipient, size, tag, sender=SENDER):
    """An RFC 5322 message with `size` bytes of body (dot-stuffing not needed: no line starts with '.')."""
    head = (f"From: <{sender}>\r\nTo: <{recipient}>\r\nSubject: bench {tag}\r\n"
            f"Message-ID: <{tag}@{CLIENT_NAME}>\r\nDate: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n\r\n")
    line = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-=+[]{}.,;:!?\r\n"
    body = (line * (size // len(line) + 1))[:size]
    return (head + body + "\r\n.\r\n").encode("ascii")


class OpenLoopSender:
    """Background load at a fixed rate, open-loop: message i is due at t0 + i/rate whatever
    happened to the ones before (not closed-loop), handed to a pool of `connections` persistent
    SMTP connections. If all of them are busy, messages wait in line (their lateness is recorded)."""

    def __init__(self, port, rate, mailboxes, size=4096, connections=20):
        self.port = port
        self.rate = rate
        self.mailboxes = mailboxes
        self.body_size = size
        self.connections = connections
        self.jobs = queue.Queue()
        self.stop_event = threading.Event()
        self.sent = 0
        self.failed = 0
        self.lateness = []
        self.errors = []
        self.lock = threading.Lock()
        self.threads = []
        self.conns = []

    def start(self):
        self.t0 = time.monotonic() + 0.2
        self.threads = [threading.Thread(target=self._schedule, daemon=True)]
        self.threads += [threading.Thread(target=self._work, daemon=True) for _ in range(self.connections)]
        for thread in self.threads:
            thread.start()

    def _schedule(self):
        i = 0
        while not self.stop_event.is_set():
            due = self.t0 + i / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.jobs.put((i, due))
            i += 1
        self.scheduled = i

    def _work(self):
        conn = None
        try:
            conn = SmtpConnection(self.port)
            with self.lock:
                self.conns.append(conn)
            while not self.stop_event.is_set():
                try:
                    i, due = self.jobs.get(timeout=0.2)
                except queue.Empty:
                    continue
                recipient = f"{i % self.mailboxes + 1}u@{DOMAIN}"
                started = time.monotonic()
                conn.send(recipient, message(recipient, self.body_size, f"bg-{i}-{os.getpid()}"))
                with self.lock:
                    self.sent += 1
                    self.lateness.append(started - due)
        except (OSError, BenchError) as e:
            if not self.stop_event.is_set():
                with self.lock:
                    self.failed += 1
                    self.errors.append(str(e))
        finally:
            if conn:
                conn.close()

    def stop(self):
        elapsed = time.monotonic() - self.t0
        sent = self.sent
        self.stop_event.set()
        deadline = time.monotonic() + 5
        for thread in self.threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        stuck = sum(1 for t in self.threads if t.is_alive())
        with self.lock:
            for conn in self.conns:  # a send still waiting for the server: cut it
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in self.threads:
            thread.join(timeout=5)
        late = sorted(self.lateness)
        return {"target_rate": round(self.rate, 1), "sent": sent, "seconds": round(elapsed, 2),
                "achieved_rate": round(sent / max(elapsed, 1e-9), 1), "left_in_line": self.jobs.qsize(),
                "senders_still_busy_at_stop": stuck,
                "lateness_p50_ms": round(1000 * percentile(late, 50), 1) if late else None,
                "lateness_p99_ms": round(1000 * percentile(late, 99), 1) if late else None,
                "connection_failures": self.failed, "errors": self.errors[:3]}


class TrackedSender:
    """Numbered messages, each with its own Message-ID (<TAG-i@bench.client>), over `sessions`
    persistent SMTP sessions (closed-loop), recording what became of every one:
      accepted   250 after DATA (monotonic time of the reply),
      refused    any other reply, with the stage (MAIL, RCPT, DATA, end of data) and the reply text,
      in_flight  the whole message including the final dot was written but no reply came (the
                 connection broke): it may or may not have been taken,
      aborted    the connection broke before the end of the message: it must not be delivered.
    count=None: no limit (stop_on or stop() ends it). stop_on(code, text) -> True stops every session
    after its current transaction. A session whose connection breaks ends (reconnect=False) or opens
    a new one. resume() starts the sessions again with the numbers not yet taken."""

    def __init__(self, port, sessions, count, recipient_of, size, tag, auth=None, sender=SENDER,
                 stop_on=None, reconnect=False, timeout=60.0):
        self.port = port
        self.sessions = sessions
        self.count = count
        self.recipient_of = recipient_of
        self.size = size
        self.tag = tag
        self.auth = auth
        self.sender = sender
        self.stop_on = stop_on
        self.reconnect = reconnect
        self.timeout = timeout
        self.lock = threading.Lock()
        self.next = 0
        self.returned = []
        self.accepted = {}
        self.refused = {}
        self.in_flight = {}
        self.aborted = {}
        self.connect_errors = []
        self.stop_event = threading.Event()
        self.stop_reason = None
        self.threads = []

    def message_id(self, i):
        return f"<{self.tag}-{i}@{CLIENT_NAME}>"

    def start(self):
        self.stop_event.clear()
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(self.sessions)]
        for thread in self.threads:
            thread.start()
        return self

    resume = start

    def running(self):
        return any(thread.is_alive() for thread in self.threads)

    def stop(self, reason="stopped"):
        if not self.stop_event.is_set():
            self.stop_reason = reason
        self.stop_event.set()

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))
        return not self.running()

    def taken(self):
        with self.lock:
            return self.next - len(self.returned)

    def _take(self):
        with self.lock:
            if self.returned:
                return self.returned.pop()
            if self.count is not None and self.next >= self.count:
                return None
            self.next += 1
            return self.next - 1

    def _give_back(self, i):
        with self.lock:
            self.returned.append(i)

    def _work(self):
        conn = None
        try:
            while not self.stop_event.is_set():
                i = self._take()
                if i is None:
                    return
                if conn is None:
                    try:
                        conn = SmtpConnection(self.port, timeout=self.timeout, auth=self.auth)
                    except (OSError, BenchError) as e:
                        self._give_back(i)
                        with self.lock:
                            self.connect_errors.append(str(e))
                        return
                if not self._transaction(conn, i):
                    conn.sock.close()
                    conn = None
                    if not self.reconnect:
                        return
        finally:
            if conn is not None:
                conn.close()

    def _transaction(self, conn, i):
        """One message; False when the connection broke."""
        recipient = self.recipient_of(i)
        stage = "MAIL"
        try:
            for stage, line, want in (("MAIL", f"MAIL FROM:<{self.sender}>", 250),
                                      ("RCPT", f"RCPT TO:<{recipient}>", 250), ("DATA", "DATA", 354)):
                code, text = conn.ask(line)
                if code != want:
                    self._refused(i, stage, code, text)
                    conn.ask("RSET")
                    return True
            stage = "body"
            conn.sock.sendall(message(recipient, self.size, f"{self.tag}-{i}", self.sender))
            stage = "end of data"
            code, text = conn.reply()
        except (OSError, BenchError) as e:
            with self.lock:
                if stage == "end of data":
                    self.in_flight[i] = str(e)
                else:
                    self.aborted[i] = f"{stage}: {e}"
            return False
        if code == 250:
            with self.lock:
                self.accepted[i] = time.monotonic()
        else:
            self._refused(i, "end of data", code, text)
        return True

    def _refused(self, i, stage, code, text):
        with self.lock:
            self.refused[i] = {"stage": stage, "code": code, "reply": text}
        if self.stop_on and self.stop_on(code, text):
            self.stop(f"{code} at {stage}: {text}")

    def summary(self):
        with self.lock:
            return {"taken": self.next - len(self.returned), "accepted": len(self.accepted),
                    "refused": len(self.refused), "in_flight": len(self.in_flight), "aborted": len(self.aborted),
                    "connect_errors": self.connect_errors[:3], "stop_reason": self.stop_reason}


# ---------------------------------------------------------------------------------------------
# IMAP

class ImapWatcher:
    """One IMAP connection that logs in (after STARTTLS when asked) and selects INBOX, then notes
    the monotonic time of every '* N EXISTS': mode "idle": pushed by the server during IDLE;
    mode "poll": answered to a NOOP sent every `interval` seconds (what a client that checks sees,
    without the server's IDLE notification path: Dovecot, for one, delays IDLE pushes ~0.5 s)."""

    def __init__(self, port, user, password, starttls, mode, interval=0.01, timeout=30.0):
        self.mode = mode
        self.interval = interval
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.buffer = b""
        self._line()  # greeting
        if starttls:
            self._tagged("s1", "STARTTLS")
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
            self.buffer = b""
        self._tagged("l1", f'LOGIN "{user}" "{password}"')
        self.exists = self._exists(self._tagged("x1", "SELECT INBOX")) or 0
        self.events = queue.Queue()
        self.stopping = threading.Event()
        self.failure = None
        if mode == "idle":
            self.sock.sendall(b"i1 IDLE\r\n")
            line = self._line()
            if not line.startswith(b"+"):
                raise BenchError(f"IMAP IDLE refused: {line!r}")
            self.sock.settimeout(None)
        self.reader = threading.Thread(target=self._idle if mode == "idle" else self._poll, daemon=True)
        self.reader.start()

    @staticmethod
    def _exists(lines):
        found = None
        for line in lines:
            parts = line.split()
            if len(parts) == 3 and parts[0] == b"*" and parts[2].upper() == b"EXISTS":
                found = int(parts[1])
        return found

    def _line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("IMAP connection closed by the server")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _tagged(self, tag, command):
        self.sock.sendall(f"{tag} {command}\r\n".encode())
        lines = []
        while True:
            line = self._line()
            lines.append(line)
            if line.startswith(tag.encode() + b" "):
                if not line[len(tag) + 1:].upper().startswith(b"OK"):
                    raise BenchError(f"IMAP {command.split()[0]} failed: {line!r}")
                return lines

    def _idle(self):
        try:
            while not self.stopping.is_set():
                count = self._exists([self._line()])
                if count is not None:
                    self.events.put((time.monotonic(), count))
        except (OSError, BenchError, ValueError) as e:
            self.failure = str(e)

    def _poll(self):
        n = 0
        try:
            while not self.stopping.is_set():
                n += 1
                count = self._exists(self._tagged(f"n{n}", "NOOP"))
                if count is not None:
                    self.events.put((time.monotonic(), count))
                time.sleep(self.interval)
        except (OSError, BenchError, ValueError) as e:
            self.failure = str(e)

    def wait_exists(self, at_least, timeout):
        """Monotonic time of the first EXISTS >= at_least, or None after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                when, count = self.events.get(timeout=remaining)
            except queue.Empty:
                return None
            if count >= at_least:
                return when

    def close(self):
        self.stopping.set()
        try:
            self.sock.sendall(b"DONE\r\n" if self.mode == "idle" else b"")
            self.sock.sendall(b"z1 LOGOUT\r\n")
        except OSError:
            pass
        self.reader.join(timeout=2)
        try:
            self.sock.close()
        except OSError:
            pass


def imap_message_ids(port, user, password, starttls=True, timeout=60.0):
    """{mailbox: [Message-ID or None, ...]} over every mailbox of the user: LIST, then EXAMINE and
    FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]) in each (read-only: nothing is changed)."""
    session = ImapSession(port, user, password, starttls, timeout)
    try:
        names = []
        for line in session.command('LIST "" "*"'):
            match = re.match(rb'\* LIST \([^)]*\) (?:NIL|"(?:[^"\\]|\\.)*") (.+)$', line, re.S)
            if match:
                name = match.group(1).strip()
                if name.startswith(b'"'):
                    name = name[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
                names.append(name.decode("utf-8", "replace"))
        found = {}
        for name in names:
            quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
            exists = 0
            for line in session.command(f"EXAMINE {quoted}"):
                parts = line.split()
                if len(parts) == 3 and parts[2].upper() == b"EXISTS":
                    exists = int(parts[1])
            ids = []
            if exists:
                for line in session.command("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"):
                    if re.match(rb"\* \d+ FETCH", line):
                        match = re.search(rb"(?im)^Message-ID:\s*(<[^>\r\n]*>)", line)
                        ids.append(match.group(1).decode("ascii", "replace") if match else None)
            found[name] = ids
        return found
    finally:
        session.close()


class ImapSession:
    """A plain IMAP client for checks, not timings: login (after STARTTLS when asked), then tagged
    commands whose untagged responses come back whole (literals included)."""

    def __init__(self, port, user, password, starttls, timeout=60.0):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.buffer = b""
        self.tag = 0
        self._line()  # greeting
        if starttls:
            self.command("STARTTLS")
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
            self.buffer = b""
        self.command(f'LOGIN "{user}" "{password}"')

    def _fill(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise BenchError("IMAP connection closed by the server")
        self.buffer += chunk

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _response(self):
        """One response line with its literals ({n} + n bytes) folded in."""
        parts = []
        while True:
            line = self._line()
            parts.append(line)
            literal = re.search(rb"\{(\d+)\}$", line)
            if not literal:
                return b"\r\n".join(parts)
            size = int(literal.group(1))
            while len(self.buffer) < size:
                self._fill()
            parts.append(self.buffer[:size])
            self.buffer = self.buffer[size:]

    def command(self, command):
        self.tag += 1
        tag = f"c{self.tag}".encode()
        self.sock.sendall(tag + b" " + command.encode() + b"\r\n")
        lines = []
        while True:
            line = self._response()
            if line.startswith(tag + b" "):
                if not line[len(tag) + 1:].upper().startswith(b"OK"):
                    raise BenchError(f"IMAP {command.split()[0]} failed: {line[:300]!r}")
                return lines
            lines.append(line)

    def close(self):
        try:
            self.command("LOGOUT")
        except (OSError, BenchError):
            pass
        try:
            self.sock.close()
        except OSError:
            pass


class MaildirWatcher:
    """Postfix only: the time a new file appears in the probe's Maildir (new/ or cur/: Dovecot moves
    files from new/ to cur/ once a client has seen them), checked every 5 ms."""

    def __init__(self, directory, interval=0.005):
        self.directory = directory
        self.interval = interval

    def count(self):
        total = 0
        for sub in ("new", "cur"):
            try:
                total += sum(1 for _ in os.scandir(self.directory / sub))
            except FileNotFoundError:
                pass
        return total

    def wait_count(self, at_least, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= at_least:
                return time.monotonic()
            time.sleep(self.interval)
        return None


def latency_probes(system, count, gap=0.05, timeout=30.0, size=4096):
    """count sequential probes to the probe mailbox. Each: SMTP 250 after DATA -> visible to an IMAP
    client NOOP-polling every 10 ms ("poll"), -> '* N EXISTS' pushed to a client in IDLE ("idle"),
    and for Postfix -> the file in the Maildir ("file"). Returns {method: [ms or None]}."""
    pollers = {"poll": ImapWatcher(system.imap_port, PROBE, PASSWORD, system.imap_starttls, "poll"),
               "idle": ImapWatcher(system.imap_port, PROBE, PASSWORD, system.imap_starttls, "idle")}
    maildir = None
    if system.name == "postfix":
        local, domain = PROBE.split("@")
        maildir = MaildirWatcher(system.workdir / "maildirs" / domain / local)
    smtp = SmtpConnection(system.smtp_port)
    latencies = {"poll": [], "idle": []} | ({"file": []} if maildir else {})
    misses = {"poll": 0, "idle": 0}
    try:
        expected = pollers["poll"].exists
        files = maildir.count() if maildir else 0
        for i in range(count):
            expected += 1
            files += 1
            accepted = smtp.send(PROBE, message(PROBE, size, f"probe-{i}-{time.monotonic_ns()}"))
            if maildir:
                seen = maildir.wait_count(files, timeout)
                latencies["file"].append(None if seen is None else 1000 * (seen - accepted))
                if seen is None:
                    log(f"{system.label}: probe {i} not in the Maildir after {timeout:.0f}s")
                    break
            for method, watcher in pollers.items():
                if misses[method] >= 2:  # this way of watching is stuck: do not wait 30 s per probe
                    latencies[method].append(None)
                    continue
                seen = watcher.wait_exists(expected, timeout)
                latencies[method].append(None if seen is None else 1000 * (seen - accepted))
                if seen is None:
                    misses[method] += 1
                    log(f"{system.label}: probe {i} not visible over IMAP ({method}) after {timeout:.0f}s"
                        + (f": {watcher.failure}" if watcher.failure else ""))
            if all(m >= 2 for m in misses.values()):
                break
            time.sleep(gap)
    finally:
        smtp.close()
        for watcher in pollers.values():
            watcher.close()
    return latencies


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)
