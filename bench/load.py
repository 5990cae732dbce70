"""Load tools shared by the scenarios: Postfix's smtp-source (closed-loop bursts), an open-loop
fixed-rate SMTP sender, an IMAP IDLE watcher and the end-to-end latency probe, and a meter of the
CPU that other work on the machine used meanwhile."""

import os
import queue
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
    def __init__(self, port, timeout=60.0):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self._expect(220)
        self._command(f"EHLO {CLIENT_NAME}", 250)

    def _reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise BenchError("SMTP connection closed by the server")
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]), b"".join(lines)

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


def message(recipient, size, tag):
    """An RFC 5322 message with `size` bytes of body (dot-stuffing not needed: no line starts with '.')."""
    head = (f"From: <{SENDER}>\r\nTo: <{recipient}>\r\nSubject: bench {tag}\r\n"
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
