"""The three systems of bench/run.sh behind one interface, on top of harness.py (Postino, the stock
James memory app) and postfix_peer.py (Postfix + Dovecot).

Every system: prepare(), provision(domain, users) [before start() for Postfix], start(timeout),
stop(); smtp_port, imap_port, imap_starttls; delivered_total() (messages visible in the mailboxes),
queue_size() (accepted, not yet delivered), memory(), server_cpu_s(), pids(), fsync (a sentence).
"""

import concurrent.futures
import http.client
import json
import time
from urllib.parse import quote

import harness
from harness import LOOPBACK, BenchError, JamesPeer, Postino
from postfix_peer import PostfixPeer

DOMAIN = "bench.test"
PASSWORD = "bench-secret-1"
PROBE = f"probe@{DOMAIN}"


def mailbox_user(number):
    """The user smtp-source -N writes to for sequence number `number`: -t u@DOMAIN gives <n>u@DOMAIN."""
    return f"{number}u@{DOMAIN}"


def population(count):
    """count mailboxes (1u..<count>u) plus the latency probe's."""
    return [(mailbox_user(i), PASSWORD) for i in range(1, count + 1)] + [(PROBE, PASSWORD)]


class WebAdmin:
    """A keep-alive WebAdmin client (one connection; reopened when the server closes it)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def get(self, path):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read().decode("utf-8", "replace")
                return response.status, body
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


class JvmSystem:
    """Postino or the James memory app (harness.Postino / harness.JamesPeer) with what the load
    scenarios need: IMAP port, delivered and queued counts through WebAdmin, memory from jcmd."""

    provision_before_start = False

    def __init__(self, inner, fsync):
        self.inner = inner
        self.name = inner.name
        self.label = inner.label
        self.fsync = fsync
        self.users = []
        self.web = None

    def __getattr__(self, item):
        return getattr(self.inner, item)

    @property
    def workdir(self):
        return getattr(self.inner, "home", None) or self.inner.workdir

    @property
    def smtp_port(self):
        return self.inner.listeners["smtp"]

    @property
    def imap_port(self):
        return self.inner.listeners["imap"]

    imap_starttls = True  # both listener files say plainAuthDisallowed: LOGIN only after STARTTLS

    def prepare(self):
        self.inner.prepare()

    def start(self, timeout):
        record = self.inner.start(timeout)
        self.web = WebAdmin(self.inner.webadmin_port)
        return record

    def provision(self, domain, users):
        self.users = [address for address, _ in users]
        if isinstance(self.inner, Postino):
            # bin/postino for the domain only; the users with the request `postino user add` sends
            started = time.monotonic()
            harness.run([str(self.inner.dist / "bin" / "postino"), "domain", "add", domain],
                        env=self.inner.env(), timeout=90)
            put_users_parallel(self.inner.webadmin_port, users)
            return time.monotonic() - started
        started = time.monotonic()
        status, body = harness.http("PUT", f"http://{LOOPBACK}:{self.inner.webadmin_port}/domains/{domain}")
        if status != 204:
            raise BenchError(f"PUT /domains/{domain} answered {status}: {body[:300]}")
        put_users_parallel(self.inner.webadmin_port, users)
        return time.monotonic() - started

    def pids(self):
        return [self.inner.pid]

    def server_cpu_s(self):
        return harness.cpu_seconds_with_children(self.inner.pid) or 0.0

    def check_loopback_only(self):
        return harness.check_loopback_only(self.inner.pid)

    def message_count(self, user):
        status, body = self.web.get(f"/users/{quote(user)}/mailboxes/INBOX/messageCount")
        if status == 404:
            return 0  # INBOX not created yet: nothing delivered
        if status != 200:
            raise BenchError(f"{self.label}: messageCount of {user} answered {status}: {body[:300]}")
        return int(body)

    def delivered_total(self, users=None):
        return sum(self.message_count(user) for user in (users or self.users))

    def queue_size(self):
        status, body = self.web.get("/mailQueues/spool")
        if status != 200:
            raise BenchError(f"{self.label}: GET /mailQueues/spool answered {status}: {body[:300]}")
        return int(json.loads(body)["size"])

    def queue_sizes(self):
        """{queue name: size} of every mail queue (WebAdmin GET /mailQueues)."""
        status, body = self.web.get("/mailQueues")
        if status != 200:
            raise BenchError(f"{self.label}: GET /mailQueues answered {status}: {body[:300]}")
        sizes = {}
        for name in json.loads(body):
            status, body = self.web.get(f"/mailQueues/{quote(name, safe='')}")
            sizes[name] = int(json.loads(body)["size"]) if status == 200 else f"HTTP {status}"
        return sizes

    def mail_repositories(self):
        """{repository: size} of every mail repository (error, address-error, relay-denied...)."""
        status, body = self.web.get("/mailRepositories")
        if status != 200:
            raise BenchError(f"{self.label}: GET /mailRepositories answered {status}: {body[:300]}")
        sizes = {}
        for entry in json.loads(body):
            status, body = self.web.get(f"/mailRepositories/{quote(entry['repository'], safe='')}")
            sizes[entry["repository"]] = int(json.loads(body)["size"]) if status == 200 else f"HTTP {status}"
        return sizes

    def memory(self, settle=3.0):
        record = harness.measure_memory(self.inner.pid, settle=settle)
        record["pss_mib"] = pss_mib([self.inner.pid])
        return record

    def stop(self):
        if self.web:
            self.web.close()
        return self.inner.stop()

    def log_tail(self):
        return self.inner.log_tail()


class PostfixSystem:
    """PostfixPeer with the same surface as JvmSystem."""

    provision_before_start = True
    imap_starttls = False  # Dovecot on loopback: plain LOGIN (the connection is opened once, before timing)

    def __init__(self, peer):
        self.inner = peer
        self.name = peer.name
        self.label = peer.label
        self.fsync = peer.fsync

    def __getattr__(self, item):
        return getattr(self.inner, item)

    @property
    def workdir(self):
        return self.inner.workdir

    def pids(self):
        return self.inner.all_pids()

    def server_cpu_s(self):
        """CPU of Postfix's and Dovecot's processes: the living ones, plus what the two roots have
        collected from children that exited."""
        total = 0.0
        for pid in self.inner.all_pids():
            total += harness.cpu_seconds(pid) or 0.0
        for root in (self.inner.pid, self.inner.dovecot and self.inner.dovecot.pid):
            if root:
                with_children = harness.cpu_seconds_with_children(root) or 0.0
                total += with_children - (harness.cpu_seconds(root) or 0.0)
        return total

    def memory(self, settle=3.0):
        time.sleep(settle)
        return self.inner.memory()


def put_users_parallel(port, users, threads=4):
    """WebAdmin PUT /users/ADDRESS for every user, over `threads` connections at once."""
    chunks = [users[i::threads] for i in range(threads)]
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(harness.put_users, port, chunk) for chunk in chunks if chunk]:
            future.result()


def fsync_of(name):
    return PostfixPeer.fsync if name == "postfix" else FSYNC[name]


def pss_mib(pids):
    """Proportional set size summed over pids (/proc/<pid>/smaps_rollup): shared pages count once overall."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total / 1024


FSYNC = {
    "postino": "yes: the spool (ActiveMQ KahaDB, journalDiskSyncStrategy=always) syncs before the 250; "
               "mailboxes in embedded Derby (default durability: log forced to disk on commit)",
    "james-memory": "no: queue and mailboxes in memory (memory app)",
}


def make(name, work, dist, james_lib, keystore):
    """A fresh, not yet prepared system `name` in folder `work`."""
    if name == "postino":
        return JvmSystem(Postino(dist, work), FSYNC["postino"])
    if name == "james-memory":
        peer = JamesPeer(james_lib, work, dist / "conf", harness.REPO / "dropin-it/src/test/resources/dropin-conf",
                         keystore)
        return JvmSystem(peer, FSYNC["james-memory"])
    if name == "postfix":
        return PostfixSystem(PostfixPeer(work, PASSWORD))
    raise ValueError(name)


LABELS = {"postino": "Postino", "james-memory": "James memory app 3.8.1", "postfix": "Postfix (+Dovecot)"}
