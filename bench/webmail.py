"""Webmail scenario (issue 7), Postino only: time to first inbox render in headless Chromium and the latency of
the JMAP requests the webmail makes, unloaded and under load. Run through bench/webmail.sh.

Every figure is a ratio against the same server unloaded, measured in the same run on the same instance just
before (as bench/priority.sh: no peer, the question is what the load does to this server).

One instance: Postino from the tarball (harness.Postino via systems.make), listeners on 127.0.0.1 (free ports),
JMAP/webmail on its own free port (harness.Postino.prepare rewrites conf/jmap.properties' bind). Users: the bench
user (whose INBOX is filled with --messages varied messages over SMTP) and --users others (1u@, 2u@...).

Phases (unloaded, then loaded):
  render  webmail_render.mjs in Chromium: --cold fresh contexts that sign in, --warm reloads of a signed-in one
  jmap    --iterations rounds of what the webmail sends to show the inbox and open a message, one request at a
          time over one keep-alive HTTPS connection with Basic auth: Mailbox/get; Email/query (inMailbox INBOX,
          receivedAt descending, limit 51) + Email/get of its #ids with the list's properties (one request, as the
          webmail batches them); Email/get of one of those 50 with the reader's properties and text body values
The load (a child process, `webmail.py load`, so that its threads do not share the measuring client's GIL):
open-loop SMTP at --rate msg/s over --smtp-sessions sessions (every --bench-share'th message to the bench user,
the rest to the other users in turn) and --pollers JMAP clients (users 1u@...), each sending Mailbox/get +
the inbox list every --poll-interval seconds.
"""

import argparse
import base64
import http.client
import json
import os
import random
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import harness
import load
import prio_common as pc
import systems
from harness import LOOPBACK, BenchError, Postino, log

DOMAIN = systems.DOMAIN
PASSWORD = systems.PASSWORD
BENCH_USER = f"reader@{DOMAIN}"
CORE = "urn:ietf:params:jmap:core"
MAIL = "urn:ietf:params:jmap:mail"
MAILBOX_PROPERTIES = ["id", "name", "parentId", "role", "sortOrder", "totalEmails", "unreadEmails"]
# webmail/src/jmap/mail.ts SUMMARY_PROPERTIES and FULL_PROPERTIES
SUMMARY_PROPERTIES = ["id", "threadId", "mailboxIds", "keywords", "from", "to", "subject", "receivedAt", "preview",
                      "hasAttachment", "size"]
FULL_PROPERTIES = SUMMARY_PROPERTIES + ["cc", "bcc", "replyTo", "sentAt", "messageId", "inReplyTo", "references",
                                        "attachments", "textBody", "htmlBody", "bodyValues"]
PAGE = 50
DISTURBED_SHARE = 0.3


# ---------------------------------------------------------------------------------------------
# JMAP over HTTPS, Basic auth, one keep-alive connection

class JmapError(Exception):
    pass


class Jmap:
    def __init__(self, port, user, password, timeout=60.0):
        self.port = port
        self.timeout = timeout
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.conn = None
        self.reconnects = 0
        self.account = None
        self.api = "/jmap"

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(LOOPBACK, self.port, timeout=self.timeout, context=self.context)
            self.reconnects += 1
        return self.conn

    def _send(self, method, path, body=None):
        headers = {"Authorization": self.auth, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                if response.will_close:
                    self.close()
                return response.status, payload
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection: once more on a new one
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def session(self):
        """GET /jmap/session; returns the seconds it took."""
        started = time.perf_counter()
        status, payload = self._send("GET", "/jmap/session")
        elapsed = time.perf_counter() - started
        if status != 200:
            raise JmapError(f"GET /jmap/session answered {status}: {payload[:300]!r}")
        body = json.loads(payload)
        self.account = body["primaryAccounts"][MAIL]
        api = body.get("apiUrl") or "/jmap"
        self.api = "/" + api.split("://", 1)[-1].split("/", 1)[-1] if "://" in api else api
        return elapsed

    def call(self, calls):
        """One JMAP request; returns (seconds, {call id: (name, arguments)}). Any method error raises."""
        if self.account is None:
            self.session()
        body = {"using": [CORE, MAIL], "methodCalls": [[name, {"accountId": self.account, **args}, cid]
                                                        for name, args, cid in calls]}
        started = time.perf_counter()
        status, payload = self._send("POST", self.api, body)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise JmapError(f"POST {self.api} answered {status}: {payload[:300]!r}")
        answers = {}
        for name, args, cid in json.loads(payload)["methodResponses"]:
            if name == "error":
                raise JmapError(f"{cid}: {args}")
            answers[cid] = (name, args)
        return elapsed, answers

    # the webmail's requests (webmail/src/jmap/mail.ts)
    def mailboxes(self):
        seconds, answers = self.call([("Mailbox/get", {"ids": None, "properties": MAILBOX_PROPERTIES}, "m")])
        return seconds, answers["m"][1]["list"]

    def inbox_page(self, inbox_id, extra=None):
        query = {"filter": {"inMailbox": inbox_id}, "sort": [{"property": "receivedAt", "isAscending": False}],
                 "position": 0, "limit": PAGE + 1, **(extra or {})}
        seconds, answers = self.call([
            ("Email/query", query, "q"),
            ("Email/get", {"#ids": {"resultOf": "q", "name": "Email/query", "path": "/ids"},
                           "properties": SUMMARY_PROPERTIES}, "g")])
        return seconds, answers["q"][1], answers["g"][1]["list"]

    def open(self, email_id):
        seconds, answers = self.call([("Email/get", {"ids": [email_id], "properties": FULL_PROPERTIES,
                                                     "fetchTextBodyValues": True,
                                                     "maxBodyValueBytes": 256 * 1024}, "e")])
        found = answers["e"][1]["list"]
        if not found:
            raise JmapError(f"Email/get {email_id}: not found")
        return seconds, found[0]


def inbox_id(mailboxes):
    for mailbox in mailboxes:
        if mailbox.get("role") == "inbox":
            return mailbox["id"]
    raise JmapError("no mailbox with role inbox")


# ---------------------------------------------------------------------------------------------
# mail: a seeded, varied inbox

WORDS = ("meeting report budget invoice project deadline review draft schedule customer contract delivery "
         "quarter results update proposal agenda minutes travel expenses approval request question answer "
         "server release test backup network office holiday training policy security account payment order "
         "riunione fattura progetto scadenza consegna preventivo bilancio ufficio viaggio").split()
NAMES = ["Alice Rossi", "Bob Smith", "Carla Bianchi", "David Jones", "Elena Conti", "Frank Miller", "Giulia Russo",
         "Henry Brown", "Irene Ferrari", "Jack Wilson", "Laura Esposito", "Marco Romano", "Nina Taylor"]


def _text(rng, size):
    out, length = [], 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        line = line[0].upper() + line[1:] + "."
        out.append(line)
        length += len(line) + 2
    return "\r\n".join(out)


def varied_message(rng, recipient, i, tag):
    """Plain text (70%), multipart/alternative with HTML (20%) or with a small base64 attachment (10%); bodies of
    ~1-8 KB mostly, some 8-64 KB, a few 64-200 KB. Returns CRLF bytes ending with the DATA terminator."""
    roll = rng.random()
    size = rng.randint(800, 8000) if roll < 0.75 else rng.randint(8000, 64000) if roll < 0.96 \
        else rng.randint(64000, 200000)
    name = rng.choice(NAMES)
    address = name.lower().replace(" ", ".") + "@sender.test"
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7))).capitalize()
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(time.time() - rng.randint(0, 90 * 86400)))
    head = (f"From: {name} <{address}>\r\nTo: <{recipient}>\r\nSubject: {subject} #{i}\r\nDate: {date}\r\n"
            f"Message-ID: <{tag}-{i}@bench.client>\r\nMIME-Version: 1.0\r\n")
    text = _text(rng, size)
    kind = rng.random()
    if kind < 0.7:
        raw = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
    elif kind < 0.9:
        html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\r\n")) + "</body></html>"
        raw = (head + 'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n--b1\r\n'
               "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b1\r\n"
               "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n--b1--")
    else:
        blob = base64.encodebytes(rng.randbytes(rng.randint(2000, 30000))).decode("ascii").replace("\n", "\r\n")
        raw = (head + 'Content-Type: multipart/mixed; boundary="b2"\r\n\r\n--b2\r\n'
               "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b2\r\n"
               'Content-Type: application/octet-stream; name="data.bin"\r\n'
               'Content-Disposition: attachment; filename="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
               + blob + "\r\n--b2--")
    return (raw + "\r\n.\r\n").encode("utf-8")


def fill(port, recipient, count, sessions, seed):
    """count varied messages to recipient over `sessions` SMTP sessions (closed loop)."""
    messages = [varied_message(random.Random(seed * 100003 + i), recipient, i, "fill") for i in range(count)]
    nxt = iter(range(count))
    lock = threading.Lock()
    state = {"accepted": 0, "errors": []}

    def work():
        conn = None
        try:
            conn = load.SmtpConnection(port)
            while True:
                with lock:
                    i = next(nxt, None)
                if i is None:
                    return
                conn.send(recipient, messages[i])
                with lock:
                    state["accepted"] += 1
        except (OSError, BenchError) as e:
            with lock:
                state["errors"].append(str(e))
        finally:
            if conn:
                conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=work, daemon=True) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    return {"messages": count, "accepted": state["accepted"], "errors": state["errors"][:5],
            "bytes": sum(len(m) for m in messages), "seconds": round(seconds, 1),
            "accepted_msg_s": round(state["accepted"] / max(seconds, 1e-9), 1)}


# ---------------------------------------------------------------------------------------------
# the load (child process)

def load_child(args):
    """Runs until a line arrives on stdin (or stdin closes), then prints a JSON summary on stdout."""
    stop = threading.Event()
    lock = threading.Lock()
    smtp = {"scheduled": 0, "accepted": 0, "refused": 0, "to_bench_user": 0, "errors": [], "lateness": []}
    polls = {"requests": 0, "errors": [], "latency_ms": []}
    jobs = __import__("queue").Queue()
    t0 = time.monotonic() + 0.2
    sample = args.sample_kib * 1024

    def schedule():
        i = 0
        while not stop.is_set():
            due = t0 + i / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                stop.wait(delay)
                if stop.is_set():
                    break
            jobs.put((i, due))
            i += 1
            with lock:
                smtp["scheduled"] = i

    def sender():
        conn = None
        try:
            conn = load.SmtpConnection(args.smtp_port)
            while not stop.is_set():
                try:
                    i, due = jobs.get(timeout=0.2)
                except Exception:
                    continue
                to_bench = args.bench_share and i % args.bench_share == 0
                recipient = args.bench_user if to_bench else systems.mailbox_user(i % args.users + 1)
                started = time.monotonic()
                body = load.message(recipient, sample, f"load-{i}-{os.getpid()}")
                try:
                    conn.send(recipient, body)
                except BenchError as e:
                    with lock:
                        smtp["refused"] += 1
                        smtp["errors"].append(str(e)[:200])
                    conn.close()
                    conn = load.SmtpConnection(args.smtp_port)
                    continue
                with lock:
                    smtp["accepted"] += 1
                    smtp["to_bench_user"] += 1 if to_bench else 0
                    smtp["lateness"].append(started - due)
        except (OSError, BenchError) as e:
            if not stop.is_set():
                with lock:
                    smtp["errors"].append(f"session: {e}"[:200])
        finally:
            if conn:
                conn.close()

    def poller(n):
        client = Jmap(args.jmap_port, systems.mailbox_user(n), PASSWORD)
        rng = random.Random(n)
        stop.wait(rng.random() * args.poll_interval)  # spread the clients over the interval
        while not stop.is_set():
            started = time.monotonic()
            try:
                seconds, boxes = client.mailboxes()
                s2, _, _ = client.inbox_page(inbox_id(boxes))
                with lock:
                    polls["requests"] += 2
                    polls["latency_ms"] += [1000 * seconds, 1000 * s2]
            except (OSError, JmapError, http.client.HTTPException, ValueError) as e:
                with lock:
                    polls["errors"].append(str(e)[:200])
                client.close()
            stop.wait(max(0.0, args.poll_interval - (time.monotonic() - started)))
        client.close()

    threads = [threading.Thread(target=schedule, daemon=True)]
    threads += [threading.Thread(target=sender, daemon=True) for _ in range(args.smtp_sessions)]
    threads += [threading.Thread(target=poller, args=(n,), daemon=True) for n in range(1, args.pollers + 1)]
    for t in threads:
        t.start()
    print(json.dumps({"started": True}), flush=True)
    sys.stdin.readline()
    elapsed = time.monotonic() - t0
    with lock:
        accepted, scheduled = smtp["accepted"], smtp["scheduled"]
        requests = polls["requests"]
    stop.set()
    for t in threads:
        t.join(timeout=10)
    late = sorted(smtp["lateness"])
    lat = sorted(polls["latency_ms"])
    print(json.dumps({
        "seconds": round(elapsed, 1),
        "smtp": {"offered_rate": args.rate, "sessions": args.smtp_sessions, "scheduled": scheduled,
                 "accepted": accepted, "accepted_rate": round(accepted / max(elapsed, 1e-9), 1),
                 "scheduled_rate": round(scheduled / max(elapsed, 1e-9), 1), "refused": smtp["refused"],
                 "to_bench_user": smtp["to_bench_user"], "message_kib": args.sample_kib,
                 "lateness_p50_ms": round(1000 * load.percentile(late, 50), 1) if late else None,
                 "lateness_p99_ms": round(1000 * load.percentile(late, 99), 1) if late else None,
                 "errors": smtp["errors"][:5]},
        "jmap_pollers": {"clients": args.pollers, "interval_s": args.poll_interval, "requests": requests,
                         "request_rate": round(requests / max(elapsed, 1e-9), 1), "errors": len(polls["errors"]),
                         "first_errors": polls["errors"][:5],
                         "p50_ms": round(load.percentile(lat, 50), 1) if lat else None,
                         "p99_ms": round(load.percentile(lat, 99), 1) if lat else None},
    }), flush=True)


class Load:
    """The load child process: start() returns once it runs, stop() returns its summary."""

    def __init__(self, ctx, instance):
        self.command = [sys.executable, "-B", str(Path(__file__)), "load",
                        "--smtp-port", str(instance.smtp_port), "--jmap-port", str(instance.jmap_port),
                        "--rate", str(ctx.rate), "--smtp-sessions", str(ctx.smtp_sessions),
                        "--users", str(ctx.users), "--bench-user", BENCH_USER, "--bench-share", str(ctx.bench_share),
                        "--pollers", str(ctx.pollers), "--poll-interval", str(ctx.poll_interval),
                        "--sample-kib", str(ctx.load_kib)]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     cwd=str(harness.BENCH))
        harness.register_pid(self.proc.pid, "webmail.py load")
        line = self.proc.stdout.readline()
        if not line.strip().startswith("{"):
            raise BenchError(f"the load process did not start: {line!r}")

    def stop(self):
        if self.proc is None:
            return None
        try:
            out, _ = self.proc.communicate("stop\n", timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        lines = [x for x in out.splitlines() if x.startswith("{")]
        self.proc = None
        if not lines:
            raise BenchError("the load process printed no summary")
        return json.loads(lines[-1])


# ---------------------------------------------------------------------------------------------
# measurements

def stats(values):
    seen = sorted(v for v in values if v is not None)
    if not seen:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"n": len(seen), "p50_ms": round(load.percentile(seen, 50), 1), "p99_ms": round(load.percentile(seen, 99), 1),
            "max_ms": round(seen[-1], 1), "min_ms": round(seen[0], 1)}


def jmap_round(client, rng):
    """One round of the webmail's inbox requests and one message opened; {metric: ms}."""
    out = {}
    s, boxes = client.mailboxes()
    out["mailbox_get"] = 1000 * s
    s, query, emails = client.inbox_page(inbox_id(boxes))
    out["inbox_list"] = 1000 * s
    if len(emails) < min(PAGE, 1):
        raise JmapError("the inbox list is empty")
    s, _ = client.open(rng.choice(emails[:PAGE])["id"])
    out["open_message"] = 1000 * s
    out["inbox_total"] = out["mailbox_get"] + out["inbox_list"]
    return out


JMAP_METRICS = [("mailbox_get", "JMAP Mailbox/get"),
                ("inbox_list", "JMAP Email/query + Email/get (inbox, 50 rows)"),
                ("inbox_total", "JMAP inbox shown (Mailbox/get + list, sequential)"),
                ("open_message", "JMAP Email/get of one message with body values")]
RENDER_METRICS = [("cold", "render_ms", "Cold render: page + submit → rows painted (new context)"),
                  ("cold", "signin_request_ms", "Cold: sign-in request (POST /webmail/api/session)"),
                  ("cold", "submit_to_rows_painted_ms", "Cold: submit → rows painted"),
                  ("cold", "nav_to_form_ms", "Cold: navigation → sign-in form shown"),
                  ("cold", "total_ms", "Cold: driver wall clock (goto → first row, typing included)"),
                  ("warm", "render_ms", "Warm render: reload → rows painted (same context)"),
                  ("warm", "first_contentful_paint_ms", "Warm: reload → first contentful paint"),
                  ("warm", "session_check_ms", "Warm: session check (GET /webmail/api/session)")]


class Context:
    def __init__(self, args):
        smoke = args.smoke
        self.smoke = smoke
        self.users = 3 if smoke else args.users
        self.messages = 100 if smoke else args.messages
        self.cold = 3 if smoke else args.cold
        self.warm = 3 if smoke else args.warm
        self.iterations = 10 if smoke else args.iterations
        self.warmup_iterations = 5 if smoke else args.warmup_iterations
        self.rate = min(args.rate, 10.0) if smoke else args.rate
        self.smtp_sessions = 2 if smoke else args.smtp_sessions
        self.bench_share = args.bench_share
        self.pollers = min(args.pollers, self.users) if smoke else min(args.pollers, args.users)
        self.poll_interval = args.poll_interval
        self.load_kib = args.load_kib
        self.ramp_s = 1.0 if smoke else args.ramp_s
        self.gap_s = 0.02
        self.fill_sessions = 4


def _process_table():
    """{pid: (ppid, cpu seconds)} of every process (from /proc/PID/stat)."""
    table = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            table[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, IndexError, ValueError):
            continue
    return table


class TreeCpu:
    """CPU of a process and all its descendants, sampled every `interval` s (last value seen per pid): Chromium's
    renderers are not all reaped up to node and this harness, so os.times() alone would put their CPU under
    other work. Sampling misses at most the last interval of each process."""

    def __init__(self, root, interval=0.25):
        self.root = root
        self.interval = interval
        self.seen = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self):
        table = _process_table()
        children = {}
        for pid, (ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        todo = [self.root]
        while todo:
            pid = todo.pop()
            if pid in table:
                self.seen[pid] = max(self.seen.get(pid, 0.0), table[pid][1])
            todo += children.get(pid, [])

    def _run(self):
        while not self.stop_event.wait(self.interval):
            self._sample()

    def stop(self):
        self.stop_event.set()
        self.thread.join(timeout=5)
        return sum(self.seen.values())


def run_render(ctx, instance, phase):
    env = dict(os.environ, BASE_URL=f"https://{LOOPBACK}:{instance.jmap_port}", BENCH_USER=BENCH_USER,
               BENCH_PASS=PASSWORD, COLD=str(ctx.cold if phase else 1), WARM=str(ctx.warm if phase else 1),
               PLAYWRIGHT_CORE=ctx.playwright_core, TIMEOUT_MS="20000" if ctx.smoke else "60000")
    started = time.monotonic()
    proc = subprocess.Popen(["node", str(harness.BENCH / "webmail_render.mjs")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    harness.register_pid(proc.pid, "webmail_render.mjs")
    reaped0 = os.times()
    tree = TreeCpu(proc.pid)
    try:
        out, err = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    tree_cpu = tree.stop()
    reaped1 = os.times()
    reaped = (reaped1.children_user + reaped1.children_system) - (reaped0.children_user + reaped0.children_system)
    lines = [x for x in out.splitlines() if x.startswith("{")]
    if not lines:
        raise BenchError(f"webmail_render.mjs ({phase or 'warm-up'}) exited {proc.returncode} with no report: "
                         f"{err[-2000:]}")
    report = json.loads(lines[-1])
    report["exit_code"] = proc.returncode
    # node + Chromium, sampled; the part not reaped up to this process (so not in os.times()) is browser_unreaped
    report["browser_tree_cpu_s"] = round(tree_cpu, 2)
    report["browser_reaped_cpu_s"] = round(reaped, 2)
    report["browser_unreaped_cpu_s"] = round(max(0.0, tree_cpu - reaped), 2)
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def run_jmap(ctx, instance, count, seed):
    client = Jmap(instance.jmap_port, BENCH_USER, PASSWORD)
    rng = random.Random(seed)
    rounds, errors = [], []
    session_ms = 1000 * client.session()
    for _ in range(count):
        try:
            rounds.append(jmap_round(client, rng))
        except (OSError, JmapError, http.client.HTTPException, ValueError) as e:
            errors.append(str(e)[:300])
            client.close()
        time.sleep(ctx.gap_s)
    client.close()
    return {"rounds": len(rounds), "errors": errors, "reconnects": client.reconnects, "first_session_ms": session_ms,
            "stats": {key: stats([r[key] for r in rounds]) for key, _ in JMAP_METRICS}}


def render_stats(report):
    out = {}
    for kind, key, _ in RENDER_METRICS:
        out[f"{kind}.{key}"] = stats([r.get(key) for r in report.get(kind, [])])
    return out


def phase(ctx, instance, name, seed, load_pid=None):
    record = {}
    load0 = harness.cpu_seconds(load_pid) if load_pid else 0.0
    with load.OtherCpu(instance.system) as cpu:
        render = run_render(ctx, instance, name)
        jmap = run_jmap(ctx, instance, ctx.iterations, seed)
    load_cpu = (harness.cpu_seconds(load_pid) or load0) - load0 if load_pid else 0.0
    record["render"] = render
    record["render_stats"] = render_stats(render)
    record["jmap"] = jmap
    # the load process is reaped after the phase: its CPU meanwhile moves from "other work" to the harness's
    unreaped = render.get("browser_unreaped_cpu_s", 0.0)
    cpu.other_cpu_s = max(0.0, cpu.other_cpu_s - load_cpu - unreaped)
    cpu.own_cpu_s += load_cpu + unreaped
    record["cpu"] = cpu.record()
    record["cpu"]["load_process_cpu_s"] = round(load_cpu, 2)
    record["cpu"]["browser_cpu_s"] = render.get("browser_tree_cpu_s")
    record["seconds"] = round(cpu.elapsed, 1)
    return record


class Instance:
    def __init__(self, ctx, dist):
        self.work = ctx.work / "postino"
        self.system = systems.make("postino", self.work, dist, None, None)

    @property
    def smtp_port(self):
        return self.system.inner.listeners["smtp"]

    @property
    def jmap_port(self):
        return self.system.inner.jmap_port


def wait_visible(instance, count, timeout):
    """Until the bench user's INBOX holds count messages (WebAdmin) and JMAP Email/query counts them (the index)."""
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    stored = None
    while time.monotonic() < deadline:
        stored = instance.system.message_count(BENCH_USER)
        if stored >= count:
            break
        time.sleep(0.5)
    else:
        raise BenchError(f"{stored} of {count} messages in {BENCH_USER}'s INBOX after {timeout:.0f} s\n"
                         f"{instance.system.log_tail()}")
    t_stored = time.monotonic() - started
    client = Jmap(instance.jmap_port, BENCH_USER, PASSWORD)
    total = None
    try:
        while time.monotonic() < deadline:
            _, boxes = client.mailboxes()
            # James answers no total (calculateTotal): the index counts all once position count-1 is an id
            _, query, _ = client.inbox_page(inbox_id(boxes), {"position": count - 1, "limit": 1})
            total = count if query.get("ids") else None
            if total is not None:
                break
            time.sleep(0.5)
        else:
            raise BenchError(f"JMAP Email/query (the index) finds no message at position {count - 1} after {timeout:.0f} s")
    finally:
        client.close()
    return {"stored_after_s": round(t_stored, 1), "queryable_after_s": round(time.monotonic() - started, 1),
            "inbox_total": total}


def dump_threads(instance):
    """The server's thread dump (jcmd Thread.print), written next to its log and echoed to stderr (CI keeps
    the output of a failed run, not its files). Returns where it went."""
    pid = instance.system.inner.pid
    if pid is None or not harness.alive(pid):
        return "the server is gone: no thread dump"
    try:
        dump = harness.jcmd(pid, "Thread.print", timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return f"no thread dump: {e}"
    path = instance.work / "log" / f"threads-{time.strftime('%H%M%S')}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump, encoding="utf-8")
    print(f"---- server thread dump ({path}) ----\n{dump}\n---- end of thread dump ----", file=sys.stderr, flush=True)
    return f"thread dump in {path} (and on stderr)"


def ratio_rows(unloaded, loaded):
    out = {}
    for key in unloaded:
        u, l = unloaded[key], loaded.get(key, {})
        out[key] = {k: (round(l[f"{k}_ms"] / u[f"{k}_ms"], 2) if l.get(f"{k}_ms") is not None and u.get(f"{k}_ms")
                        else None) for k in ("p50", "p99", "max")}
    return out


def failures_of(record, name):
    out = []
    render = record["render"]
    if not render.get("ok"):
        out.append(f"{name}: render: exit {render.get('exit_code')}, cold {len(render.get('cold', []))}, warm "
                   f"{len(render.get('warm', []))}; {'; '.join(render.get('errors', [])[:5])}")
    if record["jmap"]["errors"]:
        out.append(f"{name}: {len(record['jmap']['errors'])} JMAP error(s): {'; '.join(record['jmap']['errors'][:3])}")
    return out


# ---------------------------------------------------------------------------------------------
# report

fmt = harness.fmt


def markdown(data):
    facts = data["machine"]
    p = data["parameters"]
    u, l = data.get("unloaded", {}), data.get("loaded", {})
    lines = [f"# Webmail: first inbox render and JMAP latency (Postino) — {data['date']}", "",
             f"`{data['command']}` — {data['elapsed_s'] / 60:.1f} min. Postino only: every ratio is the same server "
             "loaded ÷ unloaded, both measured in this run on the same instance (unloaded first).", ""]
    ld = l.get("load") or {}
    smtp, polls = ld.get("smtp") or {}, ld.get("jmap_pollers") or {}
    if ld:
        lines += [f"Load during the loaded phase ({ld.get('seconds')} s): SMTP offered {fmt(smtp.get('offered_rate'))} "
                  f"msg/s open loop over {smtp.get('sessions')} sessions ({smtp.get('message_kib')} KiB each, every "
                  f"{p['bench_share']}th to the bench user), scheduled {fmt(smtp.get('scheduled_rate'))} msg/s, **accepted "
                  f"{fmt(smtp.get('accepted_rate'))} msg/s** ({fmt(smtp.get('accepted'))} messages, "
                  f"{smtp.get('to_bench_user')} to the bench user, {smtp.get('refused')} refused; lateness p50 "
                  f"{fmt(smtp.get('lateness_p50_ms'), unit=' ms')}, p99 {fmt(smtp.get('lateness_p99_ms'), unit=' ms')}); "
                  f"**{polls.get('clients')} concurrent JMAP clients** polling Mailbox/get + the inbox list every "
                  f"{polls.get('interval_s')} s: {fmt(polls.get('request_rate'))} requests/s, p50 "
                  f"{fmt(polls.get('p50_ms'), unit=' ms')}, p99 {fmt(polls.get('p99_ms'), unit=' ms')}, "
                  f"{polls.get('errors')} errors.", ""]
    lines += ["| metric | n | unloaded p50 | unloaded p99 | unloaded max | loaded p50 | loaded p99 | loaded max "
              "| p50 ratio | p99 ratio |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def row(title, us, ls, rs):
        lines.append(f"| {title} | {us.get('n', '–')} / {ls.get('n', '–')} | {fmt(us.get('p50_ms'), unit=' ms')} "
                     f"| {fmt(us.get('p99_ms'), unit=' ms')} | {fmt(us.get('max_ms'), unit=' ms')} "
                     f"| {fmt(ls.get('p50_ms'), unit=' ms')} | {fmt(ls.get('p99_ms'), unit=' ms')} "
                     f"| {fmt(ls.get('max_ms'), unit=' ms')} | {fmt(rs.get('p50'), 2)} | {fmt(rs.get('p99'), 2)} |")

    ratios = data.get("ratios", {})
    for kind, key, title in RENDER_METRICS:
        k = f"{kind}.{key}"
        row(title, (u.get("render_stats") or {}).get(k, {}), (l.get("render_stats") or {}).get(k, {}),
            ratios.get("render", {}).get(k, {}))
    for key, title in JMAP_METRICS:
        row(title, ((u.get("jmap") or {}).get("stats") or {}).get(key, {}),
            ((l.get("jmap") or {}).get("stats") or {}).get(key, {}), ratios.get("jmap", {}).get(key, {}))
    lines += ["", "n = unloaded / loaded samples. With few repetitions p99 is close to the max (percentiles by "
              "linear interpolation).", ""]
    for name in ("unloaded", "loaded"):
        rec = data.get(name)
        if rec and rec.get("cpu"):
            c = rec["cpu"]
            share = c.get("other_cpu_share", 0)
            lines.append(f"- {name}: {rec['seconds']} s; Postino CPU {c['server_cpu_s']} s, harness + Chromium + load "
                         f"{c['harness_and_load_cpu_s']} s (Chromium + node {c.get('browser_cpu_s')} s), other work on the machine {c['other_cpu_s']} s "
                         f"({share:.0%} of a CPU{'; **disturbed**' if share > DISTURBED_SHARE else ''}).")
    lines.append("")
    if data["failures"]:
        lines += [f"- FAILED: {f}" for f in data["failures"]] + [""]
    fill_record = data.get("fill") or {}
    lines += ["## Set-up", "",
              f"- Postino from its tarball (`{' '.join(harness.SERVER_JVM_OPTS)}`), one fresh POSTINO_HOME, listeners "
              "and the HTTPS (JMAP + webmail) listener on 127.0.0.1 (free ports), search as shipped (the embedded "
              f"OpenSearch node). Users: {BENCH_USER} (the one measured) and {p['users']} others (1u@…{p['users']}u@).",
              f"- The bench user's INBOX: {fmt(fill_record.get('messages'))} seeded, varied messages over SMTP "
              f"({fill_record.get('bytes', 0) / 1e6:.1f} MB: 75% 0.8-8 KB, 21% 8-64 KB, 4% 64-200 KB of text; 70% "
              "text/plain, 20% multipart/alternative with HTML, 10% with a base64 attachment; dates spread over 90 "
              f"days), {p['fill_sessions']} sessions; stored after {(data.get('visible') or {}).get('stored_after_s')} s, "
              f"counted by JMAP Email/query (the index) after {(data.get('visible') or {}).get('queryable_after_s')} s.",
              f"- Warm-up (unmeasured): {'' if data['smoke'] else 'one render run (1 cold, 1 warm) and '}"
              f"{p['warmup_iterations']} JMAP rounds.",
              f"- Render: `bench/webmail_render.mjs`, Debian's Chromium ({data.get('browser', '?')}) via npm "
              "playwright-core, flags as webmail/e2e/lib.mjs (headless, --no-sandbox --disable-gpu "
              "--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage), "
              f"1280x800, en-GB. Per phase {p['cold']} cold runs (a new browser context each: empty cache, no cookie; "
              "https://127.0.0.1:PORT/webmail/, sign-in form filled and submitted) and "
              f"{p['warm']} warm runs (reloads of one signed-in context: cache and session cookie kept). Times from "
              "the page's clock (0 = navigation start): a script added before the page's own records when the "
              "password field appears, the form's submit event, the first `[role=listbox] [role=option]` row "
              "inserted, and the frame after it (requestAnimationFrame then a task: painted). Cold render = "
              "(navigation → form) + (submit → rows painted), the driver's typing left out; the sign-in request is "
              "the Resource Timing entry of the session POST. Warm render = reload's navigation start → rows painted.",
              f"- JMAP: {p['iterations']} rounds per phase, one at a time ({p['gap_s'] * 1000:.0f} ms apart) on one "
              "keep-alive HTTPS connection (Python http.client, certificate not verified, Basic auth as the bench "
              "user): Mailbox/get (the webmail's properties); Email/query inMailbox INBOX sorted receivedAt "
              "descending, limit 51, + Email/get of `#ids` with the list's 11 properties (one request, as the webmail "
              "sends it); Email/get of one of the 50 (seeded choice) with the reader's properties, "
              "fetchTextBodyValues, maxBodyValueBytes 256 KiB. Timed from the request's first byte to the whole "
              "answer read.",
              f"- Load (a child process of the harness, started {p['ramp_s']:.0f} s before the loaded measurements, "
              f"stopped after them): open-loop SMTP at {fmt(p['rate'])} msg/s over {p['smtp_sessions']} plain SMTP "
              f"sessions, {p['load_kib']} KiB messages, every {p['bench_share']}th to the bench user (new mail in the "
              f"list being measured), the rest to the {p['users']} others in turn; {p['pollers']} JMAP clients (users "
              f"1u@…) each sending Mailbox/get + the inbox list every {p['poll_interval']} s on its own keep-alive "
              "connection.",
              "- CPU per phase: Postino (with children: the OpenSearch node), this harness with its children "
              "(Chromium and node: their process tree sampled every 0.25 s, since Chromium's renderers are not all "
              "reaped up to the harness; the load process), other work on the machine (as bench/load.py OtherCpu); "
              "over 30% of a CPU of other work is flagged. Chromium runs on the same CPUs as the server: under load the "
              "browser's own work waits too, so the render ratios are those of the whole machine, the JMAP ones of "
              "the server (and this harness's client)."]
    if data["smoke"]:
        lines.append("- Smoke run: tiny N: the figures only show that the harness works.")
    lines += ["",
              f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), MemTotal {facts['mem_total']}, kernel "
              f"{facts['kernel']}; {facts['java_version'][0] if facts['java_version'] else ''}; {facts['python']}; "
              f"{data.get('node', '')}.",
              f"Versions: Postino {facts['postino_version']} at {facts['postino_commit']} (tarball sha256 "
              f"{data['tarball']['sha256'][:16]}…).", ""]
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "load":
        parser = argparse.ArgumentParser()
        for name in ("--smtp-port", "--jmap-port", "--smtp-sessions", "--users", "--bench-share", "--pollers",
                     "--sample-kib"):
            parser.add_argument(name, type=int, required=True)
        parser.add_argument("--rate", type=float, required=True)
        parser.add_argument("--poll-interval", type=float, required=True)
        parser.add_argument("--bench-user", required=True)
        load_child(parser.parse_args(sys.argv[2:]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--users", type=int, default=20, help="other users (load recipients, JMAP pollers)")
    parser.add_argument("--messages", type=int, default=2000, help="messages in the bench user's INBOX")
    parser.add_argument("--cold", type=int, default=10, help="cold render runs per phase")
    parser.add_argument("--warm", type=int, default=10, help="warm render runs per phase")
    parser.add_argument("--iterations", type=int, default=200, help="JMAP rounds per phase")
    parser.add_argument("--warmup-iterations", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="offered SMTP msg/s during the loaded phase")
    parser.add_argument("--smtp-sessions", type=int, default=4)
    parser.add_argument("--bench-share", type=int, default=10, help="every Nth load message to the bench user")
    parser.add_argument("--pollers", type=int, default=10, help="concurrent JMAP clients during the load")
    parser.add_argument("--poll-interval", type=float, default=2.0)
    parser.add_argument("--load-kib", type=int, default=4)
    parser.add_argument("--ramp-s", type=float, default=5.0)
    parser.add_argument("--playwright-core", required=True)
    parser.add_argument("--tarball", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--command", default="bench/webmail.sh")
    args = parser.parse_args()

    facts = harness.machine_facts()
    facts["other_benchmarks_at_start"] = pc.other_benchmarks()
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    ctx = Context(args)
    ctx.work = args.work
    ctx.playwright_core = args.playwright_core
    dist, tarball = Postino.unpack(args.tarball, args.work / "dist")
    started = time.monotonic()
    node = harness._first_line(["node", "--version"])
    data = {"scenario": "webmail", "date": harness.today(), "command": args.command, "smoke": args.smoke,
            "comparison": "loaded / unloaded, the same Postino instance, same run (no peer)",
            "machine": facts, "tarball": tarball, "jvm_opts": harness.SERVER_JVM_OPTS, "node": f"node {node}",
            "parameters": {k: v for k, v in vars(ctx).items() if isinstance(v, (int, float, bool))},
            "failures": []}
    instance = Instance(ctx, dist)
    load_proc = None
    try:
        system = instance.system
        system.prepare()
        if not ctx.smoke:
            # as bench/priority.sh: other benchmarks first (up to 20 min), then quiet CPUs (up to 10 min)
            data["waited_for_other_benchmarks"] = pc.wait_for_other_benchmarks()
            waited, busy, quiet = harness.wait_for_quiet(max_wait=600)
            data["quiet_before_start"] = {"waited_s": round(waited, 1), "busy_share": round(busy, 3), "quiet": quiet}
            if waited > 10:
                log(f"waited {waited:.0f} s for quiet CPUs (busy {busy:.0%}{'' if quiet else ', going ahead anyway'})")
        data["start"] = system.start(180)
        users = [(BENCH_USER, PASSWORD)] + [(systems.mailbox_user(i), PASSWORD) for i in range(1, ctx.users + 1)]
        data["provisioning_s"] = round(system.provision(DOMAIN, users), 2)
        data["listening"] = system.check_loopback_only()
        log(f"Postino up: SMTP {instance.smtp_port}, HTTPS {instance.jmap_port}; filling {BENCH_USER} with "
            f"{ctx.messages} messages")
        data["fill"] = fill(instance.smtp_port, BENCH_USER, ctx.messages, ctx.fill_sessions, seed=7)
        if data["fill"]["accepted"] != ctx.messages:
            raise BenchError(f"fill: {data['fill']['accepted']} of {ctx.messages} accepted: {data['fill']['errors']}")
        data["visible"] = wait_visible(instance, ctx.messages, 120 if ctx.smoke else 900)
        log(f"filled: {data['fill']} {data['visible']}; warming up")
        # the render warm-up: not in a smoke run (CI time; the unloaded phase fails the same way)
        warm = {} if ctx.smoke else run_render(ctx, instance, None)
        data["warmup"] = {"render_ok": warm.get("ok"), "render_errors": warm.get("errors"),
                          "jmap": run_jmap(ctx, instance, ctx.warmup_iterations, seed=1)["rounds"]}
        if warm and not warm.get("ok"):
            raise BenchError(f"warm-up render failed: {warm.get('errors')}")
        if not ctx.smoke:
            waited, busy, quiet = harness.wait_for_quiet(max_wait=60)
            data["quiet_before_unloaded"] = {"waited_s": round(waited, 1), "busy_share": round(busy, 3), "quiet": quiet}
        log("unloaded phase")
        data["unloaded"] = phase(ctx, instance, "unloaded", seed=2)
        data["browser"] = data["unloaded"]["render"].get("browser")
        if ctx.smoke and data["unloaded"]["render"].get("exit_code") != 0:
            raise BenchError("unloaded render failed: " + "; ".join(data["unloaded"]["render"].get("errors", [])[:5]))
        data["failures"] += failures_of(data["unloaded"], "unloaded")
        log(f"loaded phase: {ctx.rate} msg/s SMTP, {ctx.pollers} JMAP pollers")
        load_proc = Load(ctx, instance)
        load_proc.start()
        time.sleep(ctx.ramp_s)
        try:
            loaded = phase(ctx, instance, "loaded", seed=2, load_pid=load_proc.proc.pid)
        finally:
            summary = load_proc.stop()
        loaded["load"] = summary
        data["loaded"] = loaded
        data["failures"] += failures_of(loaded, "loaded")
        if summary["smtp"]["accepted"] == 0:
            data["failures"].append("loaded: no load message accepted")
        if summary["jmap_pollers"]["errors"]:
            data["failures"].append(f"loaded: {summary['jmap_pollers']['errors']} JMAP poller error(s): "
                                    f"{summary['jmap_pollers']['first_errors'][:3]}")
        if summary["smtp"]["refused"] or summary["smtp"]["errors"]:
            data["failures"].append(f"loaded: SMTP load refused {summary['smtp']['refused']}: "
                                    f"{summary['smtp']['errors'][:3]}")
        data["ratios"] = {"render": ratio_rows(data["unloaded"]["render_stats"], loaded["render_stats"]),
                          "jmap": ratio_rows(data["unloaded"]["jmap"]["stats"], loaded["jmap"]["stats"])}
        data["log_findings"] = pc.log_findings(system)
    except BenchError as e:
        data["failures"].append(str(e))
    except TimeoutError as e:
        # a request the server never answered: what its threads were doing, before the stop ends them
        data["failures"].append(f"no answer from the server: {e!r}; {dump_threads(instance)}")
    finally:
        if load_proc is not None and load_proc.proc is not None:
            load_proc.proc.kill()
        data["stop_s"] = instance.system.stop()
    data["elapsed_s"] = time.monotonic() - started
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        data["machine"]["loadavg_at_end"] = loadavg.read().split()[:3]
    harness.finish(args.out, "webmail", data, markdown(data), {"webmail": {"failures": data["failures"]}})


if __name__ == "__main__":
    harness.run_main(main)
