"""What the priority scenarios (prio_local.py, prio_deadhost.py) share: the users, the fake MXs'
addresses, the messages, an authenticated submission client, probe statistics and the outgoing
queue's WebAdmin view. Run through bench/priority.sh (priority.py)."""

import json
import os
import re
import subprocess
import threading
import time
from urllib.parse import quote

import harness
import load
from harness import BenchError, log

DOMAIN = "example.com"
ALICE = "alice@example.com"  # the sender: logs in on the submission listener (STARTTLS + AUTH PLAIN)
BOB = "bob@example.com"      # the local recipient
PASSWORD = "priority-bench-1"
SLOW_IP = "127.0.0.70"       # SLOW sink: 2 s before its reply to the end of DATA
HEALTHY_IP = "127.0.0.71"    # HEALTHY sink: answers at once
BLACKHOLE_IP = "127.0.0.72"  # BLACKHOLE: takes the TCP connection, never says a word
CLIENT = "bench.client"
BODY_SIZE = 4096

# DeliverRemotely (conf/mailetcontainer.xml, relay processor) in each instance: the brief's five, plus
# retryJitter and lifetime as PriorityRoutingIT sets them (exact retry times; no expiry during a run).
DELIVERY_PARAMETERS = {"retrySchedule": "1m", "retryJitter": "0", "delayNotices": "none", "lifetime": "1h",
                       "connectTimeout": "2s", "commandTimeout": "2s"}


def message(recipient, message_id, subject, extra_headers=(), size=BODY_SIZE):
    """An RFC 5322 message from alice with `size` bytes of body, CRLF.CRLF included (no line starts with '.')."""
    head = [f"From: <{ALICE}>", f"To: <{recipient}>", f"Subject: {subject}", f"Message-ID: {message_id}",
            f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}", *extra_headers]
    line = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-=+[]{}.,;:!?\r\n"
    body = (line * (size // len(line) + 1))[:size]
    return ("\r\n".join(head) + "\r\n\r\n" + body + "\r\n.\r\n").encode("ascii")


def message_id(tag, i):
    return f"<{tag}-{i}@{CLIENT}>"


class Submission:
    """One session on the submission listener: STARTTLS (the self-signed certificate is not verified),
    EHLO again, AUTH PLAIN as alice (load.SmtpConnection), then any number of transactions."""

    def __init__(self, port, timeout=60.0):
        self.conn = load.SmtpConnection(port, timeout=timeout, auth=(ALICE, PASSWORD))

    def send(self, recipient, body):
        """One transaction, MAIL FROM alice; the monotonic time of the 250 after DATA (BenchError otherwise)."""
        for line, want in ((f"MAIL FROM:<{ALICE}>", 250), (f"RCPT TO:<{recipient}>", 250), ("DATA", 354)):
            code, text = self.conn.ask(line)
            if code != want:
                self.conn.ask("RSET")
                raise BenchError(f"{line.split(':')[0]} answered {code} {text}")
        self.conn.sock.sendall(body)
        code, text = self.conn.reply()
        if code != 250:
            raise BenchError(f"end of DATA answered {code} {text}")
        return time.monotonic()

    def close(self):
        self.conn.close()


def submit_many(port, count, sessions, recipient_of, tag, extra_headers=(), timeout=900.0):
    """count messages (message i to recipient_of(i), Message-ID message_id(tag, i)) over `sessions`
    authenticated sessions at once (closed loop). Returns {accepted, failed, errors, seconds, msg_s}."""
    lock = threading.Lock()
    state = {"next": 0, "accepted": 0, "failed": 0, "errors": []}

    def work():
        try:
            session = Submission(port)
        except (OSError, BenchError) as e:
            with lock:
                state["errors"].append(f"connect: {e}")
            return
        try:
            while True:
                with lock:
                    i = state["next"]
                    if i >= count:
                        return
                    state["next"] += 1
                recipient = recipient_of(i)
                try:
                    session.send(recipient, message(recipient, message_id(tag, i), f"{tag} {i}", extra_headers))
                    with lock:
                        state["accepted"] += 1
                except (OSError, BenchError) as e:
                    with lock:
                        state["failed"] += 1
                        state["errors"].append(str(e)[:300])
                    if isinstance(e, OSError):
                        return
        finally:
            session.close()

    started = time.monotonic()
    threads = [threading.Thread(target=work, daemon=True) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, timeout - (time.monotonic() - started)))
    seconds = time.monotonic() - started
    return {"messages": count, "sessions": sessions, "accepted": state["accepted"], "failed": state["failed"],
            "errors": state["errors"][:5], "seconds": round(seconds, 2),
            "accepted_msg_s": round(state["accepted"] / max(seconds, 1e-9), 1)}


def stats(latencies_ms):
    seen = sorted(v for v in latencies_ms if v is not None)
    return {"n": len(seen), "probes": len(latencies_ms), "not_delivered": sum(1 for v in latencies_ms if v is None),
            "p50_ms": _round(load.percentile(seen, 50)), "p99_ms": _round(load.percentile(seen, 99)),
            "max_ms": _round(seen[-1] if seen else None), "min_ms": _round(seen[0] if seen else None)}


def ratios(unloaded, loaded):
    out = {}
    for key in ("p50_ms", "p99_ms", "max_ms"):
        a, b = loaded.get(key), unloaded.get(key)
        out[key.replace("_ms", "")] = round(a / b, 2) if a is not None and b else None
    out["p99_within_2x"] = out["p99"] is not None and out["p99"] <= 2.0
    return out


def _round(value, digits=1):
    return None if value is None else round(value, digits)


def probe_loop(count, gap, send_one, wait_seen, timeout, label):
    """count sequential probes, `gap` seconds apart (from one being seen to the next one sent).
    send_one(i) -> monotonic time of the 250; wait_seen(i, timeout) -> monotonic time seen or None.
    Stops early after two probes in a row were not seen. Returns ([ms or None], t_first_send, t_last_seen)."""
    latencies = []
    misses = 0
    t_first = t_last = None
    for i in range(count):
        sent = send_one(i)
        t_first = t_first or sent
        seen = wait_seen(i, timeout)
        latencies.append(None if seen is None else 1000 * (seen - sent))
        t_last = time.monotonic()
        if seen is None:
            misses += 1
            log(f"{label}: probe {i} not seen within {timeout:.0f} s")
            if misses >= 2:
                break
        else:
            misses = 0
        time.sleep(gap)
    return latencies, t_first, t_last


def other_benchmarks():
    """Command lines of benchmark processes on this machine that are not this one (pgrep -af
    'python3 -B .*bench/'): their CPU lands in other_cpu_s; listed so that an overlap is on record."""
    try:
        result = subprocess.run(["pgrep", "-af", r"python3 -B .*bench/"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ["pgrep unavailable"]
    mine = {os.getpid(), os.getppid()}
    return [line for line in result.stdout.splitlines()
            if line.split(maxsplit=1)[0].isdigit() and int(line.split(maxsplit=1)[0]) not in mine]


class Outgoing:
    """The outgoing queue through WebAdmin: GET /postino/outgoing (?domain=D): queueSize (the whole
    queue), per destination count and byPriority. It browses the queue and lists every mail (a
    few hundred KB of JSON for 2,000 mails), so it is read before and after a measurement, not during.
    Every read of a queue's size here (and GET /mailQueues/NAME) takes 2 s or more: James 3.8.1's
    ActiveMQCacheableMailQueue.getSize() asks the broker's statistics plugin and waits 2 s
    (consumer.receive(2000)) for a reply that Postino's broker, which has no StatisticsBrokerPlugin,
    never sends, then browses the queue instead."""

    def __init__(self, system):
        self.system = system
        self.dirty = False  # mail submitted for a remote domain since the queue was last emptied

    def listing(self, domain=None):
        path = "/postino/outgoing" + (f"?domain={quote(domain)}" if domain else "")
        status, body = self.system.web.get(path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {body[:300]}")
        return json.loads(body)

    def summary(self, domain=None):
        """{queue_size, for_domain (count queued for that domain), by_priority (of those listed)}."""
        started = time.monotonic()
        data = self.listing(domain)
        record = {"queue_size": data.get("queueSize"), "listed": data.get("size"), "complete": data.get("complete"),
                  "by_priority": data.get("byPriority"), "webadmin_get_s": round(time.monotonic() - started, 2)}
        if domain:
            record["for_domain"] = sum(d.get("count", 0) for d in data.get("destinations", [])
                                       if d.get("domain") == domain)
            attempts = [m.get("attempts", 0) for d in data.get("destinations", []) if d.get("domain") == domain
                        for m in d.get("mails", [])]
            record["for_domain_attempts_total"] = sum(attempts)
            record["for_domain_attempted_at_least_once"] = sum(1 for a in attempts if a)
        return record

    def size(self):
        status, body = self.system.web.get("/mailQueues/outgoing")
        if status != 200:
            raise BenchError(f"GET /mailQueues/outgoing answered {status}: {body[:300]}")
        return int(json.loads(body)["size"])

    def spool_size(self):
        return self.system.queue_size()

    def clear(self, timeout=120.0):
        """DELETE /postino/outgoing?all=true until the queue stays empty (deliveries in flight may put mail
        back after a removal, as PriorityRoutingIT notes). Returns mails removed."""
        removed = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = harness.http("DELETE", f"http://{harness.LOOPBACK}:{self.system.inner.webadmin_port}"
                                                  "/postino/outgoing?all=true", timeout=60)
            if status != 200:
                raise BenchError(f"DELETE /postino/outgoing?all=true answered {status}: {body[:300]}")
            removed += int(json.loads(body).get("removed", 0))
            time.sleep(1.0)
            if self.listing()["queueSize"] == 0:
                self.dirty = False
                return removed
        raise BenchError(f"the outgoing queue was not empty {timeout:.0f} s after clearing it")


def log_findings(system, stop_at=None, listed=10):
    """ERROR and WARN lines of the instance's log (<home>/log/postino.log): counts, first ones; those
    logged from stop_at on (the log's own 'YYYY-MM-DD HH:MM:SS.mmm' time) counted apart, as shutdown's."""
    path = system.inner.home / "log" / "postino.log"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {"log": str(path), "missing": True}
    record = {"log": str(path), "lines": len(lines), "stop_requested_at": stop_at}
    for level in ("ERROR", "WARN"):
        found = [line for line in lines if f" {level} " in line[:40]]
        running = [line for line in found if not stop_at or line[:23] < stop_at]
        record[f"{level.lower()}_lines"] = len(running)
        record[f"{level.lower()}_lines_during_shutdown"] = len(found) - len(running)
        record[f"first_{level.lower()}s"] = [line[:400] for line in running[:listed]]
        record[f"first_{level.lower()}s_during_shutdown"] = [line[:400] for line in found[len(running):][:listed]]
    return record


def wait_for_other_benchmarks(max_wait=1200.0, interval=30.0):
    """Until no other benchmark process runs (other_benchmarks() empty), checked every `interval`
    seconds, at most max_wait; then it goes ahead anyway. Returns {waited_s, overlapping}."""
    started = time.monotonic()
    others = other_benchmarks()
    while others and time.monotonic() - started < max_wait:
        log(f"waiting for other benchmarks to end ({len(others)} running: {others[0][:120]})")
        time.sleep(interval)
        others = other_benchmarks()
    return {"waited_s": round(time.monotonic() - started), "overlapping": others}


DISTURBED_SHARE = 0.3  # of a CPU, used by other work during a phase: the scenario is run again (as run.sh does)


def disturbance(record):
    """The largest share of a CPU other work took during any phase of a scenario record (None: no phase)."""
    shares = [record[phase]["other_cpu_share"] for phase in PHASES if isinstance(record.get(phase), dict)
              and "other_cpu_share" in record[phase]]
    return max(shares) if shares else None


PHASES = ("unloaded", "loaded", "unloaded_after")


def thread_cpu(pid):
    """{thread id: (name, user+system clock ticks)} of every thread of the process (/proc/PID/task)."""
    found = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", encoding="utf-8", errors="replace") as stat:
                text = stat.read()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        found[tid] = (text[text.index("(") + 1:text.rindex(")")], int(fields[11]) + int(fields[12]))
    return found


def busiest_threads(before, after, listed=6):
    """CPU seconds by thread name (digits dropped: pools summed) between two thread_cpu() readings."""
    used = {}
    for tid, (name, ticks) in after.items():
        key = re.sub(r"[-#]?\d+$", "", name.strip()) or name
        used[key] = used.get(key, 0) + ticks - before.get(tid, (name, 0))[1]
    hz = os.sysconf("SC_CLK_TCK")
    return {k: round(v / hz, 2) for k, v in sorted(used.items(), key=lambda kv: -kv[1])[:listed] if v > 0}


def measure(system, label, count, gap, timeout, send_one, wait_seen):
    """One phase of probes (probe_loop) with the CPU the rest of the machine used meanwhile
    (load.OtherCpu) and Postino's busiest threads. Returns (record, monotonic time of the first
    250, of the last probe seen)."""
    others = other_benchmarks()
    threads0 = thread_cpu(system.inner.pid)
    with load.OtherCpu(system) as cpu:
        latencies, t_first, t_last = probe_loop(count, gap, send_one, wait_seen, timeout, label)
    record = {"stats": stats(latencies), "seconds": round(cpu.elapsed, 2), **cpu.record(),
              "server_busiest_threads_cpu_s": busiest_threads(threads0, thread_cpu(system.inner.pid)),
              "other_benchmarks": others, "raw_ms": [_round(v, 2) for v in latencies]}
    s = record["stats"]
    log(f"{label}: n {s['n']}/{s['probes']}, p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, max {s['max_ms']} ms; "
        f"other work {record['other_cpu_share']:.0%} of a CPU")
    return record, t_first, t_last


def cpu_row(record):
    """'server X CPU-s, other work Y CPU-s (Z% of a CPU)' for a phase."""
    return (f"Postino {record['server_cpu_s']:.1f} CPU-s; other work {record['other_cpu_s']:.1f} CPU-s "
            f"({record['other_cpu_share']:.0%} of a CPU)" + (f"; {len(record['other_benchmarks'])} other benchmark "
                                                             "process(es) running" if record["other_benchmarks"] else ""))


def imap_search_message_id(port, user, message_id):
    """Sequence numbers of the INBOX messages carrying this Message-ID, read by a fresh IMAP session
    (STARTTLS, EXAMINE, SEARCH HEADER Message-ID): whether a message is there, whatever another
    session has been told."""
    session = load.ImapSession(port, user, PASSWORD, True, timeout=30)
    try:
        session.command("EXAMINE INBOX")
        found = []
        for line in session.command(f'SEARCH HEADER Message-ID "{message_id}"'):
            if line.upper().startswith(b"* SEARCH"):
                found += [int(n) for n in line.split()[2:]]
        return found
    finally:
        session.close()
