"""Scenario relay (issue 4): the server takes mail for a remote domain and delivers it to that
domain's MX, here a sink. Postino (its DeliverRemotely mailet) vs stock James 3.8.1 (RemoteDelivery)
vs Postfix, msg/s.

Recipients u1..u1000@sink.test. DNS: dnsmasq on 127.0.0.61:53 answers MX sink.test -> sink-mx.test
(10) -> A 127.0.0.60, and NXDOMAIN for anything else under .test; Postino and James look the MX up
for real (Postino: DeliverRemotely's dnsServers; James: dnsservice.xml). Postfix uses the machine's
resolver, so a transport map sends sink.test to [127.0.0.60]:25 (it skips the MX lookup). The MX is
Postfix's smtp-sink on 127.0.0.60:25 (C, one process; it counts every message and appends each to a
dump file, from which the Message-IDs are counted once the run is over).

Client: Python (load.TrackedSender), 20 persistent sessions, each STARTTLS + AUTH PLAIN as
1u@bench.test, then one 4 KiB message per transaction, one recipient each; the same for the three
systems (Postino/James: their submission listener; Postfix: smtpd with TLS and Dovecot SASL; relaying
is allowed to authenticated clients only, on all three). smtp-source cannot authenticate.

accepted msg/s = messages / (first connection -> the last 250 after DATA)
relayed msg/s  = messages / (first connection -> the sink has received the last one)
Both after an unmeasured warm-up of `warmup` messages through the same path (every system alike).
"""

import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import threading
import time

import harness
import load
from harness import BenchError, log, register_pid
from systems import DOMAIN, PASSWORD

GROUP = "relay"  # its own instances: each system fresh, with the relay set-up below
SINK_IP = "127.0.0.60"  # not 127.0.0.1, nor the Java ITs' 127.0.0.2-4 (port 25) and 127.0.0.77 (DNS)
DNS_IP = "127.0.0.61"
SINK_DOMAIN = "sink.test"
MX_HOST = "sink-mx.test"
RECIPIENTS = 1000
SENDER = f"1u@{DOMAIN}"  # the user the client authenticates as (and sends from: Postino checks it)
SINK_USER = "nobody"

JAMES_REMOTE_DELIVERY = """
            <mailet match="All" class="RemoteDelivery">
                <outgoingQueue>outgoing</outgoingQueue>
                <delayTime>2s, 5s, 10s</delayTime>
                <maxRetries>3</maxRetries>
                <maxDnsProblemRetries>0</maxDnsProblemRetries>
                <sendpartial>true</sendpartial>
                <startTLS>false</startTLS>
            </mailet>
        """

POSTFIX_MAIN_CF = """
# relay scenario (bench/relay.py): sink.test to the sink, no MX lookup; relaying after AUTH only
transport_maps = texthash:{dir}/conf/transport
smtpd_tls_security_level = may
smtpd_tls_cert_file = {dir}/conf/tls.crt
smtpd_tls_key_file = {dir}/conf/tls.key
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {dir}/dovecot/run/auth-postfix
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
"""

POSTFIX_DOVECOT_AUTH = """
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
"""

FSYNC = {
    "postino": "yes: the spool and the outgoing queue (ActiveMQ KahaDB, journalDiskSyncStrategy=always)",
    "james-memory": "no: the memory app's queues are in memory",
    "postfix": "yes: smtpd/cleanup fsync the queue file before the 250",
}


# ---------------------------------------------------------------------------------------------
# the sink MX and its DNS

class Sink:
    """smtp-sink on SINK_IP:25: counts messages (-c, read live from its output) and appends each
    to a dump file (-D)."""

    def __init__(self, directory):
        self.directory = directory
        self.dump = directory / "sink.dump"
        self.process = None
        self.count = 0
        self.sessions = 0  # SMTP sessions the sink has seen end: fewer than messages = connections reused
        self.changed = threading.Condition()
        self.reader = None

    def start(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.directory, SINK_USER)
        if harness.smtp_banner(25, host=SINK_IP):
            raise BenchError(f"something already answers on {SINK_IP}:25")
        self.process = subprocess.Popen(["smtp-sink", "-u", SINK_USER, "-a", "-c", "-D", str(self.dump),
                                         "-m", "512", f"{SINK_IP}:25", "512"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        register_pid(self.process.pid, str(self.dump))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 10
        while not harness.smtp_banner(25, host=SINK_IP):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"smtp-sink did not start on {SINK_IP}:25 (exit {self.process.poll()})")
            time.sleep(0.05)
        return self

    def _read(self):
        tail = b""
        while True:
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                return
            tail = (tail + chunk)[-4096:]
            counts = re.findall(rb"mesg=(\d+)", tail)
            sessions = re.findall(rb"sess=(\d+)", tail)
            if counts:
                with self.changed:
                    self.count = int(counts[-1])
                    self.sessions = int(sessions[-1]) if sessions else self.sessions
                    self.changed.notify_all()

    def wait_count(self, at_least, timeout):
        """Monotonic time the count reached at_least (None after timeout)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.count < at_least:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.changed.wait(min(remaining, 1.0))
            return time.monotonic()

    def cpu_s(self):
        return (harness.cpu_seconds(self.process.pid) or 0.0) if self.process else 0.0

    def message_ids(self, tag):
        """Message-IDs of this run's messages in the dump, as often as each arrived."""
        text = self.dump.read_bytes() if self.dump.exists() else b""
        pattern = re.compile(rb"(?im)^Message-ID:[ \t]*(<" + re.escape(tag.encode()) + rb"-\d+@[^>\r\n]*>)")
        return [m.decode("ascii") for m in pattern.findall(text)]

    def stop(self):
        if self.process and self.process.poll() is None:
            harness.end_process(self.process.pid, grace=5)
            self.process.wait(timeout=10)


class Dns:
    """dnsmasq on DNS_IP:53 with the sink's MX and A records only (no upstream, no /etc/hosts)."""

    def __init__(self, directory):
        self.directory = directory
        self.process = None

    def start(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        log_file = self.directory / "dnsmasq.log"
        self.process = subprocess.Popen(
            ["dnsmasq", "--no-daemon", "--port=53", f"--listen-address={DNS_IP}", "--bind-interfaces",
             "--no-resolv", "--no-hosts", "--pid-file=", "--user=nobody", "--local=/test/",
             f"--mx-host={SINK_DOMAIN},{MX_HOST},10", f"--host-record={MX_HOST},{SINK_IP}",
             f"--log-facility={log_file}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        register_pid(self.process.pid, f"--log-facility={log_file}")
        deadline = time.monotonic() + 10
        while True:
            answers = dns_answers(SINK_DOMAIN, 15)
            if answers:
                return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"dnsmasq does not answer on {DNS_IP}:53 (exit {self.process.poll()}): "
                                 f"{log_file.read_text(errors='replace')[-500:] if log_file.exists() else ''}")
            time.sleep(0.1)

    def cpu_s(self):
        return (harness.cpu_seconds(self.process.pid) or 0.0) if self.process else 0.0

    def stop(self):
        if self.process and self.process.poll() is None:
            harness.end_process(self.process.pid, grace=5)
            self.process.wait(timeout=10)


def dns_answers(name, qtype, server=DNS_IP):
    """Number of answers to one UDP query (None if no reply): enough to see that dnsmasq serves."""
    query = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    query += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        try:
            s.sendto(query, (server, 53))
            reply = s.recv(512)
        except OSError:
            return None
    return struct.unpack(">H", reply[6:8])[0] if len(reply) >= 12 and reply[3] & 15 == 0 else 0


# ---------------------------------------------------------------------------------------------
# each system's set-up for relaying (before its start)

def configure_postino(system):
    conf = system.workdir / "conf" / "mailetcontainer.xml"
    text, n = re.subn(r"(<outgoingQueue>outgoing</outgoingQueue>)",
                      rf"\1\n                <dnsServers>{DNS_IP}</dnsServers>", conf.read_text(encoding="utf-8"))
    if n != 1:
        raise BenchError("Postino's mailetcontainer.xml: no single <outgoingQueue> in DeliverRemotely")
    conf.write_text(text, encoding="utf-8")


def configure_james(system):
    conf = system.workdir / "conf"
    pipeline = (conf / "mailetcontainer.xml").read_text(encoding="utf-8")
    pipeline, n = re.subn(r'(<processor state="relay"[^>]*>)\s*(</processor>)',
                          lambda m: m.group(1) + JAMES_REMOTE_DELIVERY + m.group(2), pipeline)
    if n != 1:
        raise BenchError("James's mailetcontainer.xml: the relay processor is not the empty one expected "
                         "(Postino's DeliverRemotely taken out)")
    (conf / "mailetcontainer.xml").write_text(pipeline, encoding="utf-8")
    dns = (conf / "dnsservice.xml").read_text(encoding="utf-8")
    dns, n = re.subn(r"<servers>.*?</servers>", f"<servers>\n        <server>{DNS_IP}</server>\n    </servers>",
                     dns, flags=re.S)
    if n != 1 or "<autodiscover>false</autodiscover>" not in dns:
        raise BenchError("James's dnsservice.xml: no <servers> to point at the bench DNS, or autodiscover on")
    (conf / "dnsservice.xml").write_text(dns, encoding="utf-8")


def configure_postfix(system):
    d = system.workdir
    (d / "conf" / "transport").write_text(f"{SINK_DOMAIN} smtp:[{SINK_IP}]:25\n")
    harness.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                 "-subj", "/CN=localhost/O=Postfix bench self-signed", "-keyout", str(d / "conf" / "tls.key"),
                 "-out", str(d / "conf" / "tls.crt")], timeout=60)
    with open(d / "conf" / "main.cf", "a", encoding="utf-8") as main_cf:
        main_cf.write(POSTFIX_MAIN_CF.format(dir=d))
    system.inner.dovecot_extra = POSTFIX_DOVECOT_AUTH


def submission(system):
    """(port, STARTTLS+AUTH credentials) where the client hands in mail to relay."""
    if system.name == "postfix":
        return system.smtp_port, (SENDER, PASSWORD)
    return system.inner.listeners["submission"], (SENDER, PASSWORD)


# ---------------------------------------------------------------------------------------------

class Relay:
    name = "relay"
    group = GROUP
    rounds = "all"
    metrics = [
        ("relay.accepted_msg_s", "relay 4 KiB to a sink MX: accepted (STARTTLS+AUTH, 20 sessions)", "msg/s", 0),
        ("relay.relayed_msg_s", "relay 4 KiB: relayed (received by the sink MX)", "msg/s", 0),
        ("relay.server_cpu_ms_per_msg", "relay 4 KiB: server CPU per message", "ms", 2),
    ]

    def configure(self, ctx, system):
        {"postino": configure_postino, "james-memory": configure_james, "postfix": configure_postfix}[system.name](system)

    def run(self, ctx, system):
        work = system.workdir / "relay"
        sink, dns = Sink(work / "sink"), Dns(work / "dns")
        try:
            dns.start()
            sink.start()
            record = {"dns_mx_answers": dns_answers(SINK_DOMAIN, 15), "dns_a_answers": dns_answers(MX_HOST, 1),
                      "fsync": FSYNC[system.name]}
            if ctx.warmup_messages:
                record["warmup"] = self.measure(ctx, system, sink, dns, ctx.warmup_messages, "warm-up")
                if record["warmup"].get("error"):
                    raise BenchError(record["warmup"]["error"])
            record.update(self.measure(ctx, system, sink, dns, ctx.relay_messages, "relay"))
            if record["other_cpu_share"] > ctx.disturbed_share and not ctx.smoke and not record.get("error"):
                log(f"{system.label}: relay disturbed by other work ({record['other_cpu_share']:.0%} of a CPU): once more")
                again = self.measure(ctx, system, sink, dns, ctx.relay_messages, "relay")
                again["repeat_of_disturbed"] = {k: v for k, v in record.items() if k != "warmup"}
                again["warmup"] = record.get("warmup")
                record.update(again)
        finally:
            sink.stop()
            dns.stop()
            sink.dump.unlink(missing_ok=True)  # counted already; ~4.6 KB a message
        return record  # with "error" if something went wrong: the suite reports it as a failure

    @staticmethod
    def measure(ctx, system, sink, dns, messages, label):
        port, auth = submission(system)
        tag = f"relay-{secrets.token_hex(4)}"
        sender = load.TrackedSender(port, ctx.sessions, messages, lambda i: f"u{i % RECIPIENTS + 1}@{SINK_DOMAIN}",
                                    4096, tag, auth=auth, sender=SENDER)
        base, sessions0 = sink.count, sink.sessions
        sink0, dns0 = sink.cpu_s(), dns.cpu_s()
        with load.OtherCpu(system) as cpu:
            t0 = time.monotonic()
            sender.start()
            if not sender.join(ctx.send_timeout):
                sender.stop("send timeout")
                sender.join(30)
            last_250 = max(sender.accepted.values(), default=None)
            reached = sender.accepted and sink.wait_count(base + len(sender.accepted), ctx.drain_timeout)
        helpers_cpu = sink.cpu_s() - sink0 + dns.cpu_s() - dns0
        record = {"messages": messages, "size_bytes": 4096, "sessions": ctx.sessions, "recipients": RECIPIENTS,
                  "client": sender.summary(), **cpu.record(), "sink_and_dns_cpu_s": round(helpers_cpu, 2),
                  "server_cpu_ms_per_msg": 1000 * cpu.server_cpu_s / messages}
        # smtp-sink and dnsmasq are the test bed, not other work on the machine
        record["other_cpu_s"] = round(max(0.0, cpu.other_cpu_s - helpers_cpu), 2)
        record["other_cpu_share"] = round(record["other_cpu_s"] / max(cpu.elapsed, 1e-9), 3)
        record["accepted_msg_s"] = len(sender.accepted) / (last_250 - t0) if last_250 else None
        record["send_s"] = round(last_250 - t0, 3) if last_250 else None
        if reached:
            record["relay_s"] = round(reached - t0, 3)
            record["relayed_msg_s"] = messages / (reached - t0)
        else:
            record["relayed_msg_s"] = None
        deadline = time.monotonic() + 5  # the dump file may lag the counter a little
        while len(ids := sink.message_ids(tag)) < len(sender.accepted) and time.monotonic() < deadline:
            time.sleep(0.2)
        record["sink"] = load.account(sender, ids, listed=20)
        # sessions ended at the sink meanwhile (those still open at the end not counted): how many messages
        # each delivery connection carried
        record["sink_sessions"] = sink.sessions - sessions0
        queues = getattr(system, "queue_sizes", None)  # the JVMs: every queue (spool, outgoing)
        record["queues_after"] = queues() if queues else {"postfix": system.queue_size()}
        problems = []
        if len(sender.accepted) != messages:
            problems.append(f"{messages - len(sender.accepted)} of {messages} not accepted: {sender.summary()} "
                            f"{list(sender.refused.values())[:2]}")
        if not reached:
            problems.append(f"the sink got {sink.count - base} of {len(sender.accepted)} within "
                            f"{ctx.drain_timeout:.0f} s\n{system.log_tail()}")
        if record["sink"]["lost"] or record["sink"]["duplicated"]:
            problems.append(f"at the sink: {record['sink']['lost']} lost, {record['sink']['duplicated']} duplicated")
        if problems:
            record["error"] = f"{label}: " + "; ".join(problems)
        log(f"{system.label}: {label} {messages} x 4 KiB: {record['accepted_msg_s'] or 0:.0f} msg/s accepted, "
            f"{record['relayed_msg_s'] or 0:.0f} msg/s relayed, {record['server_cpu_ms_per_msg']:.1f} CPU-ms/msg, "
            f"other work {record['other_cpu_share']:.0%} of a CPU"
            + (f"; {record['error']}" if problems else ""))
        return record


def setup_lines(data):
    """The relay's part of the set-up section in comparison.md."""
    p = data["parameters"]
    names = data["systems_run"]
    return [
        f"- Relay: {p.get('relay_messages')} × 4 KiB per run to u1..u{RECIPIENTS}@{SINK_DOMAIN} (1 recipient each), "
        f"after {p['warmup']} unmeasured ones; Python client (`load.TrackedSender`), {p['sessions']} persistent sessions, "
        f"each STARTTLS + AUTH PLAIN as {SENDER}, for every system (Postino and James: their submission listener; "
        f"Postfix: smtpd with TLS + Dovecot SASL, `smtpd_relay_restrictions = permit_sasl_authenticated, "
        f"reject_unauth_destination`); relaying is for authenticated clients only on all three.",
        f"- Relay MX: Postfix's `smtp-sink` on {SINK_IP}:25 (counts, and appends each message to a dump file: the "
        f"Message-IDs are checked after the run, none lost, none twice). DNS: dnsmasq on {DNS_IP}:53 "
        f"(MX {SINK_DOMAIN} → {MX_HOST} → {SINK_IP}); Postino (DeliverRemotely `dnsServers`) and James "
        f"(dnsservice.xml) look the MX up; Postfix uses a transport map `{SINK_DOMAIN} smtp:[{SINK_IP}]:25` "
        f"(no MX lookup: it uses the machine's resolver).",
        "- Relay concurrency towards the one destination: Postino DeliverRemotely as shipped (50 delivery threads, "
        "destinationConcurrency 20, starting at 5); James 3.8.1 RemoteDelivery has no thread setting (a Reactor "
        "bounded-elastic scheduler, 10 × CPUs = 20 threads here; delayTime 2s, 5s, 10s, maxRetries 3); Postfix "
        "default_destination_concurrency_limit 20 (default), connection cache on demand (default).",
        "- Relay fsync: " + "; ".join(f"{n}: {FSYNC[n]}" for n in names if n in FSYNC) + ". The sink writes to the "
        "page cache, no fsync.",
        "- Relay CPU: the sink's and dnsmasq's CPU time is not counted as other work (`sink_and_dns_cpu_s`). The "
        "client is one Python process (one CPU at most, the GIL); during the measured runs it used "
        + ", ".join(f"{share:.0%} of a CPU for {n}" for n, share in client_shares(data).items())
        + " (`harness_and_load_cpu_s`)" + (": well below one CPU, so the client is not what limits the rates."
                                           if max(client_shares(data).values(), default=0) < 0.8 else
                                           ": close to one CPU, so the client may limit the fastest system."),
    ]


def client_shares(data):
    """Median CPU share the harness + client took during each system's measured relay runs."""
    shares = {}
    for name in data["systems_run"]:
        values = sorted(r["harness_and_load_cpu_s"] / r["relay_s"] for i in data["instances"]
                        if i["system"] == name and (r := i["scenarios"].get("relay")) and r.get("relay_s"))
        if values:
            shares[name] = values[len(values) // 2]
    return shares


SCENARIOS = [Relay()]
