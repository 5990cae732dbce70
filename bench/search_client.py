"""Clients of the search scenario (bench/search.sh): a parallel SMTP loader with real message content, an
IMAP session that times SEARCH commands, and a poller of a mailbox's message count (IMAP STATUS)."""

import re
import threading
import time

import load
from harness import LOOPBACK, BenchError, log

ENVELOPE_SENDER = "loader@bench.client"


class SearchFailed(BenchError):
    """A SEARCH answered NO or BAD, or did not answer in time."""


# ---------------------------------------------------------------------------------------------
# SMTP

class Loader:
    """count messages of one stream (messages.message(stream, i, recipient)) to one recipient over
    `sessions` persistent SMTP sessions on the plain SMTP listener, closed loop (each session sends its
    next message once the previous one was answered). Messages first..first+count-1."""

    def __init__(self, port, messages, stream, recipient, first, count, sessions, timeout=60.0):
        self.port = port
        self.messages = messages
        self.stream = stream
        self.recipient = recipient
        self.next = first
        self.end = first + count
        self.count = count
        self.sessions = sessions
        self.timeout = timeout
        self.lock = threading.Lock()
        self.accepted = 0
        self.refused = []
        self.errors = []
        self.bytes = 0
        self.retry = []      # refused before the end of DATA: sent once more, on a new session
        self.lost = []       # not accepted, not sent again
        self.in_flight = []  # end of DATA written, no reply: the server may have it
        self.t_start = self.t_end = None
        self.threads = []

    def start(self):
        self.t_start = time.monotonic()
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(self.sessions)]
        for thread in self.threads:
            thread.start()
        return self

    def _take(self):
        with self.lock:
            if self.retry:
                return self.retry.pop()
            if self.next >= self.end:
                return None
            self.next += 1
            return self.next - 1

    def _work(self):
        """A reply other than the expected one, or a broken connection, ends the session (it may be out of
        step with the server) and the thread opens a new one. A message refused before the end of its DATA
        is sent once more; one whose end of DATA was written but not answered is 'in flight' (the server may
        have it) and is not sent again."""
        conn = None
        retried = set()
        try:
            while True:
                i = self._take()
                if i is None:
                    return
                if conn is None:
                    try:
                        conn = load.SmtpConnection(self.port, timeout=self.timeout)
                    except (OSError, BenchError) as e:
                        with self.lock:
                            self.errors.append(f"connect: {e}"[:300])
                            self.lost.append(i)
                        return
                body = self.messages.message(self.stream, i, self.recipient)
                stage = "MAIL"
                try:
                    problem = None
                    for stage, line, want in (("MAIL", f"MAIL FROM:<{ENVELOPE_SENDER}>", 250),
                                              ("RCPT", f"RCPT TO:<{self.recipient}>", 250), ("DATA", "DATA", 354)):
                        code, text = conn.ask(line)
                        if code != want:
                            problem = f"message {i}: {stage} answered {code} {text}"
                            break
                    if problem is None:
                        stage = "body"
                        conn.sock.sendall(body)
                        stage = "end of DATA"
                        code, text = conn.reply()
                        if code == 250:
                            with self.lock:
                                self.accepted += 1
                                self.bytes += len(body)
                            continue
                        problem = f"message {i}: end of DATA answered {code} {text}"
                    with self.lock:
                        self.refused.append(problem[:300])
                except (OSError, BenchError) as e:
                    problem = f"message {i}: {stage}: {e}"
                    with self.lock:
                        self.errors.append(problem[:300])
                        if stage == "end of DATA":
                            self.in_flight.append(i)
                            problem = None  # not sent again
                try:
                    conn.close()
                except OSError:
                    pass
                conn = None
                with self.lock:
                    if problem is not None and i not in retried:
                        retried.add(i)
                        self.retry.append(i)
                    elif problem is not None:
                        self.lost.append(i)
        finally:
            if conn is not None:
                conn.close()

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        self.t_end = time.monotonic()
        if any(thread.is_alive() for thread in self.threads):
            raise BenchError(f"SMTP load of {self.count} messages not done within {timeout:.0f} s "
                             f"({self.accepted} accepted)")
        return self

    def done(self):
        return all(not thread.is_alive() for thread in self.threads)

    def problems(self):
        """None when every message was accepted, else a sentence (also logged)."""
        if self.accepted == self.count:
            if self.refused or self.errors:
                log(f"SMTP load {self.stream}: all {self.count} accepted, after retries: {(self.refused + self.errors)[:3]}")
            return None
        text = (f"{self.count - self.accepted} of {self.count} messages not accepted (lost {sorted(self.lost)[:10]}, in "
                f"flight {sorted(self.in_flight)[:10]}): {(self.refused + self.errors)[:3]}")
        log(f"SMTP load {self.stream}: {text}")
        return text

    def record(self):
        seconds = (self.t_end or time.monotonic()) - self.t_start
        return {"messages": self.count, "sessions": self.sessions, "accepted": self.accepted,
                "refused": len(self.refused), "errors": len(self.errors), "lost": sorted(self.lost)[:50],
                "in_flight": sorted(self.in_flight)[:50], "first_problems": (self.refused + self.errors)[:5],
                "bytes": self.bytes,
                "seconds": round(seconds, 2), "accepted_msg_s": round(self.accepted / max(seconds, 1e-9), 1)}


# ---------------------------------------------------------------------------------------------
# IMAP

def imap_string(value):
    """(text to send, literal bytes or None): an atom-safe quoted string, or a literal for non-ASCII."""
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        data = value.encode("utf-8")
        return f"{{{len(data)}}}", data
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"', None


class SearchImap(load.ImapSession):
    """A logged-in IMAP session (STARTTLS, as the listener requires) for counts and timed searches."""

    def __init__(self, port, user, password, timeout=900.0):
        super().__init__(port, user, password, True, timeout)
        caps = b" ".join(self.command("CAPABILITY")).upper()
        self.esearch = b" ESEARCH" in caps
        self.capabilities = caps.decode("ascii", "replace")

    def select(self, mailbox="INBOX"):
        exists = 0
        for line in self.command(f"SELECT {mailbox}"):
            parts = line.split()
            if len(parts) == 3 and parts[2].upper() == b"EXISTS":
                exists = int(parts[1])
        return exists

    def status_messages(self, mailbox="INBOX"):
        """STATUS (MESSAGES); 0 while the mailbox does not exist yet (created by the first delivery)."""
        try:
            lines = self.command(f"STATUS {mailbox} (MESSAGES)")
        except BenchError as e:
            if "NO" in str(e):
                return 0
            raise
        for line in lines:
            match = re.search(rb"MESSAGES (\d+)", line)
            if match:
                return int(match.group(1))
        raise BenchError(f"STATUS answered no MESSAGES: {lines!r}"[:300])

    def count_all(self):
        """How many messages of the selected mailbox a search finds: UID SEARCH RETURN (COUNT) ALL with
        ESEARCH, else UID SEARCH ALL (UIDs: the answer does not depend on what this session was told)."""
        if self.esearch:
            for line in self.command("UID SEARCH RETURN (COUNT) ALL"):
                match = re.search(rb"COUNT (\d+)", line)
                if match:
                    return int(match.group(1))
            return 0
        return sum(len(line.split()) - 2 for line in self.command("UID SEARCH ALL") if line.startswith(b"* SEARCH"))

    def timed_search(self, key, value):
        """SEARCH <key> <value>, timed from the first byte sent to the tagged OK (a literal's continuation
        round trip included). Returns (milliseconds, messages found). SearchFailed on NO/BAD."""
        text, literal = imap_string(value)
        self.tag += 1
        tag = f"c{self.tag}".encode()
        charset = "CHARSET UTF-8 " if literal is not None else ""
        head = tag + f" SEARCH {charset}{key} {text}\r\n".encode("ascii")
        started = time.perf_counter()
        self.sock.sendall(head)
        if literal is not None:
            line = self._line()
            if not line.startswith(b"+"):
                raise SearchFailed(f"SEARCH {key} {value}: no continuation for the literal: {line[:200]!r}")
            self.sock.sendall(literal + b"\r\n")
        hits = 0
        while True:
            line = self._response()
            if line.startswith(tag + b" "):
                elapsed = (time.perf_counter() - started) * 1000
                if not line[len(tag) + 1:].upper().startswith(b"OK"):
                    raise SearchFailed(f"SEARCH {key} {value} answered {line[len(tag) + 1:][:300]!r}")
                return elapsed, hits
            if line.startswith(b"* SEARCH"):
                hits += len(line.split()) - 2


class StatusPoller:
    """A thread that asks STATUS INBOX (MESSAGES) of one user every `interval` seconds on its own session,
    keeping (monotonic time, count) samples: how far delivery has got, without touching the search path."""

    def __init__(self, port, user, password, interval):
        self.session = SearchImap(port, user, password)
        self.interval = interval
        self.samples = []
        self.failure = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while not self.stopping.is_set():
                count = self.session.status_messages()
                with self.lock:
                    self.samples.append((time.monotonic(), count))
                self.stopping.wait(self.interval)
        except (OSError, BenchError) as e:
            self.failure = str(e)[:300]

    def latest(self):
        with self.lock:
            return self.samples[-1][1] if self.samples else None

    def first(self, timeout):
        """The first count read (waiting for it: a STATUS of a big mailbox takes a while), or BenchError."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = self.latest()
            if count is not None:
                return count
            if self.failure:
                raise BenchError(f"the STATUS poller failed: {self.failure}")
            time.sleep(0.05)
        raise BenchError(f"no STATUS answer within {timeout} s")

    def wait_for(self, target, timeout, alive=lambda: True):
        """Monotonic time of the first sample >= target, or None after timeout (or once alive() is False)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            with self.lock:
                for when, count in self.samples[seen:]:
                    if count >= target:
                        return when
                seen = len(self.samples)
            if self.failure:
                raise BenchError(f"the STATUS poller failed: {self.failure}")
            if not alive():
                return None
            time.sleep(min(self.interval, 0.5) / 2)
        return None

    def timeline(self, since, every=5.0):
        """[seconds since `since`, count] thinned to one sample per `every` seconds."""
        out, last = [], None
        with self.lock:
            for when, count in self.samples:
                if when < since:
                    continue
                if last is None or when - last >= every:
                    out.append([round(when - since, 1), count])
                    last = when
        return out

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=30)
        self.session.close()


def log_progress(label, poller, target, since):
    count = poller.latest() or 0
    elapsed = time.monotonic() - since
    log(f"{label}: {count:,} of {target:,} stored after {elapsed:.0f} s")
