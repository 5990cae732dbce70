"""Shared machinery of Postino's benchmarks (Python 3.11 standard library only).

What a scenario gets from here:
  * Postino / JamesPeer: one server under test in a fresh directory, on free 127.0.0.1 ports,
    with a timed start (start -> SMTP 220 banner, start -> ready), provisioning and stop;
  * measure_memory(): heap live set after a full GC (jcmd), RSS (/proc), threads, classes;
  * machine_facts(), summarize(), write_results(): the report that every scenario writes.

Every process a scenario starts is written to $BENCH_PIDFILE (one "pid marker" line each), so
that the calling shell script can end whatever is left if Python itself is killed.
"""

import datetime
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TARGET = BENCH / "target"
JAMES_VERSION = "3.8.1"
POSTINO_VERSION = "0.1.0-SNAPSHOT"
HEAP = "1g"
# The same JVM options bin/postino gives the server (its server_opts, with POSTINO_HEAP=1g): both
# systems run with these, and measure_memory() records each JVM's effective flags to prove it.
SERVER_JVM_OPTS = ["-Xms64m", f"-Xmx{HEAP}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                   "-Djava.awt.headless=true"]
KEYSTORE_SECRET = "postino-selfsigned"  # the secret Postino's listener files name
LOOPBACK = "127.0.0.1"
POLL = 0.02  # seconds between two probes of a start-up


class BenchError(Exception):
    """A failure that makes the figures meaningless: the scenario stops and exits non-zero."""


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# processes

def register_pid(pid, marker):
    """Record a started server so that the shell's EXIT trap can end it (marker: a string its
    command line must contain, so that a reused pid is never hit)."""
    pidfile = os.environ.get("BENCH_PIDFILE")
    if pidfile:
        with open(pidfile, "a", encoding="ascii") as out:
            out.write(f"{pid} {marker}\n")


def register_mount(path):
    """Record a file system the scenario mounted, so that the shell's EXIT trap unmounts it if
    Python cannot (after ending the processes, which may hold it busy)."""
    mountfile = os.environ.get("BENCH_MOUNTFILE")
    if mountfile:
        with open(mountfile, "a", encoding="utf-8") as out:
            out.write(f"{path}\n")


def mount_tmpfs(path, size_mib):
    """A tmpfs of size_mib MiB at path (created if missing), registered for the EXIT trap."""
    path.mkdir(parents=True, exist_ok=True)
    register_mount(path)
    run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m,mode=0755", "bench-tmpfs", str(path)], timeout=30)


def unmount(path, attempts=20):
    """umount, retried for a few seconds while something still holds it; lazily as a last resort.
    Returns how it went ("unmounted", "lazily unmounted", "not mounted")."""
    if subprocess.run(["mountpoint", "-q", str(path)]).returncode != 0:
        return "not mounted"
    for _ in range(attempts):
        if subprocess.run(["umount", str(path)], capture_output=True).returncode == 0:
            return "unmounted"
        time.sleep(0.5)
    run(["umount", "-l", str(path)], timeout=30)
    return "lazily unmounted"


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (exited, not yet reaped) is not alive for our purposes
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def end_process(pid, grace=30.0):
    """SIGTERM, wait up to grace seconds, then SIGKILL. Returns seconds until it was gone."""
    start = time.monotonic()
    if not alive(pid):
        return 0.0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return 0.0
    while alive(pid) and time.monotonic() - start < grace:
        time.sleep(0.05)
    if alive(pid):
        log(f"pid {pid} still alive {grace:.0f}s after SIGTERM: SIGKILL")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while alive(pid) and time.monotonic() - start < grace + 10:
            time.sleep(0.05)
    return time.monotonic() - start


def run(command, timeout=120, env=None, cwd=None, check=True):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    if check and result.returncode != 0:
        raise BenchError(f"{' '.join(map(str, command))} exited {result.returncode}: "
                         f"{(result.stderr or result.stdout).strip()[-2000:]}")
    return result


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (from /proc/<pid>/stat)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def cpu_seconds_with_children(pid):
    """CPU time of the process plus that of its children it has waited for (keytool, for Postino)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def machine_cpu_seconds():
    """CPU time used on the whole machine since boot, all CPUs (from /proc/stat)."""
    return _cpu_ticks()[0] / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def proc_status(pid):
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            values[key] = value.strip()
    return values


def _cpu_ticks():
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_busy(window=1.0):
    """Share of all CPUs busy over the next `window` seconds (0..1)."""
    busy0, total0 = _cpu_ticks()
    time.sleep(window)
    busy1, total1 = _cpu_ticks()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_for_quiet(threshold=0.25, windows=3, max_wait=180.0):
    """Wait until the machine is quiet (all CPUs together below threshold busy for `windows`
    one-second windows in a row), at most max_wait seconds. Other work on the machine (a build,
    another server) would otherwise land in the timings. Returns (seconds waited, last busy
    share, whether it got quiet)."""
    started = time.monotonic()
    quiet = 0
    busy = cpu_busy()
    while True:
        quiet = quiet + 1 if busy < threshold else 0
        if quiet >= windows:
            return time.monotonic() - started, busy, True
        if time.monotonic() - started > max_wait:
            return time.monotonic() - started, busy, False
        busy = cpu_busy()


# ---------------------------------------------------------------------------------------------
# network

PORT_RANGE = (20000, 32000)  # below Linux's ephemeral range (32768-60999): no client socket lands there
_ports_handed_out = set()


def free_ports(count):
    """count distinct free TCP ports on 127.0.0.1, never one handed out before in this process (a
    port just released is not given again, to this server or the next)."""
    sockets = []
    try:
        candidates = [p for p in range(*PORT_RANGE) if p not in _ports_handed_out]
        random.shuffle(candidates)
        for port in candidates:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                s.close()
                continue
            sockets.append(s)
            if len(sockets) == count:
                break
        if len(sockets) < count:
            raise BenchError(f"fewer than {count} free ports in {PORT_RANGE}")
        ports = [s.getsockname()[1] for s in sockets]
        _ports_handed_out.update(ports)
        return ports
    finally:
        for s in sockets:
            s.close()


def smtp_banner(port, timeout=10.0, host=LOOPBACK):
    """The first line an SMTP server sends, or None while nothing listens on the port."""
    try:
        conn = socket.create_connection((host, port), timeout=1.0)
    except OSError:
        return None
    try:
        conn.settimeout(timeout)
        data = b""
        while b"\r\n" not in data and len(data) < 4096:
            chunk = conn.recv(1024)
            if not chunk:
                break
            data += chunk
        try:
            conn.sendall(b"QUIT\r\n")
        except OSError:
            pass
        return data.decode("ascii", "replace").strip() or None
    except OSError:
        return None
    finally:
        conn.close()


def http(method, url, body=None, timeout=10.0):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def put_users(webadmin_port, users):
    for address, password in users:
        status, body = http("PUT", f"http://{LOOPBACK}:{webadmin_port}/users/{address}", {"password": password})
        if status != 204:
            raise BenchError(f"PUT /users/{address} answered {status}: {body[:500]}")


def _decode_address(hex_address):
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        ip = socket.inet_ntop(socket.AF_INET, raw[::-1])
    else:  # /proc/net/tcp6 prints four host-order 32-bit words
        ip = socket.inet_ntop(socket.AF_INET6, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
        if ip.startswith("::ffff:"):
            ip = ip[len("::ffff:"):]
    return ip, int(port, 16)


def listening_sockets(pid):
    """The TCP addresses a process listens on, from /proc (no tool needed): [(ip, port)]."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    found.append(_decode_address(fields[1]))
    return sorted(found)


def check_loopback_only(pid):
    sockets = listening_sockets(pid)
    outside = [f"{ip}:{port}" for ip, port in sockets if not (ip.startswith("127.") or ip == "::1")]
    if outside:
        raise BenchError(f"pid {pid} listens beyond the loopback: {', '.join(outside)}")
    return [f"{ip}:{port}" for ip, port in sockets]


def count_users(webadmin_port):
    status, body = http("GET", f"http://{LOOPBACK}:{webadmin_port}/users")
    if status != 200:
        raise BenchError(f"GET /users answered {status}: {body[:500]}")
    return len(json.loads(body))


def rewrite_binds(xml, ports):
    """Every <bind> of a listener file, in order, to 127.0.0.1:<next port>. Returns (xml, used)."""
    used = []

    def replace(_match):
        port = ports.pop(0)
        used.append(port)
        return f"<bind>{LOOPBACK}:{port}</bind>"

    return re.sub(r"<bind>[^<]*</bind>", replace, xml), used


def listener_names(xml):
    return re.findall(r"<jmxName>([^<]*)</jmxName>", xml)


def enabled_listener_count(conf_dir):
    """How many protocol listeners the listener files of conf_dir switch on."""
    count = 0
    for name in LISTENER_FILES:
        path = conf_dir / name
        if path.exists():
            tags = re.findall(r"<(?:smtp|imap|pop3|lmtp|managesieve)server\b([^>]*)>", path.read_text(encoding="utf-8"))
            count += sum(1 for attributes in tags if not re.search(r'enabled\s*=\s*"false"', attributes))
    return count


LISTENER_FILES = ["smtpserver.xml", "imapserver.xml", "pop3server.xml", "lmtpserver.xml",
                  "managesieveserver.xml"]


POSTINO_ELEMENT = re.compile(
    r"[ \t]*<(handler|mailet)\b[^>]*\"org\.postino\.[^\"]*\"[^>]*?(?:/>|>.*?</\1>)[ \t]*\n?", re.S)


def strip_postino(text):
    """Take Postino's own classes out of a James configuration file (for the stock peer): every
    <handler> or <mailet> naming an org.postino class. Returns (text, [the classes removed])."""
    removed = []

    def drop(match):
        removed.extend(re.findall(r"org\.postino\.[\w.]+", match.group(0)))
        return ""

    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # a comment may name a Postino class too

    text = POSTINO_ELEMENT.sub(drop, text)
    if re.search(r"org\.postino\.", text):
        raise BenchError("an org.postino class is left in a configuration file meant for stock James")
    return text, removed


def assign_listener_ports(conf_dir, source_dir, transform=None):
    """Copy the five listener files from source_dir to conf_dir with free loopback ports, each text
    through transform first if given. Returns {jmxName: port}; the plain SMTP listener is the first
    one of smtpserver.xml."""
    texts = {name: (source_dir / name).read_text(encoding="utf-8") for name in LISTENER_FILES}
    if transform:
        texts = {name: transform(text) for name, text in texts.items()}
    count = sum(len(re.findall(r"<bind>", text)) for text in texts.values())
    ports = free_ports(count)
    listeners = {}
    for name, text in texts.items():
        names = listener_names(text)
        text, used = rewrite_binds(text, ports)
        (conf_dir / name).write_text(text, encoding="utf-8")
        for index, port in enumerate(used):
            listeners[names[index] if index < len(names) else f"{name}#{index}"] = port
    return listeners


# ---------------------------------------------------------------------------------------------
# a timed start

class StartWatch:
    """Watches one start-up from t0: SMTP banner, a ready condition, CPU time at those moments.
    Each probe runs in its own thread and records time.monotonic() - t0 when it first succeeds."""

    def __init__(self, t0, smtp_port, ready_probe, pid_probe):
        self.t0 = t0
        self.smtp_port = smtp_port
        self.ready_probe = ready_probe
        self.pid_probe = pid_probe
        self.pid = None
        self.banner = None
        self.t_banner = None
        self.t_ready = None
        self.cpu_at_banner = None
        self.cpu_at_ready = None
        self.other_cpu_s = None
        self._machine0 = machine_cpu_seconds()
        self._own0 = own_cpu_seconds()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._watch_banner, daemon=True),
                         threading.Thread(target=self._watch_ready, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _current_pid(self):
        if self.pid is None:
            self.pid = self.pid_probe()
        return self.pid

    def _watch_banner(self):
        while not self._stop.is_set():
            line = smtp_banner(self.smtp_port)
            if line is not None:
                now = time.monotonic()
                pid = self._current_pid()
                self.cpu_at_banner = cpu_seconds(pid) if pid else None
                self.banner = line
                self.t_banner = now - self.t0
                return
            time.sleep(POLL)

    def _watch_ready(self):
        while not self._stop.is_set():
            if self.ready_probe():
                now = time.monotonic()
                pid = self._current_pid()
                self.cpu_at_ready = cpu_seconds(pid) if pid else None
                self.t_ready = now - self.t0
                return
            time.sleep(POLL / 2)

    def done(self):
        return self.t_banner is not None and self.t_ready is not None

    def wait(self, deadline, still_running):
        """Until both probes succeeded; raises BenchError past deadline (monotonic) or if the
        server dies. Then notes other_cpu_s: the CPU time the rest of the machine used meanwhile
        (machine total less the server with its children, less this harness), which tells whether
        other work disturbed the timing."""
        while not self.done():
            if time.monotonic() > deadline:
                self.stop()
                raise BenchError(f"not ready in time (banner at {self.t_banner}, ready at {self.t_ready})")
            if not still_running():
                self.stop()
                raise BenchError("the server exited during start-up")
            time.sleep(POLL)
        machine = machine_cpu_seconds() - self._machine0
        server = cpu_seconds_with_children(self.pid) if self.pid else None
        own = own_cpu_seconds() - self._own0
        if server is not None:
            self.other_cpu_s = max(0.0, machine - server - own)
        self.stop()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)


# ---------------------------------------------------------------------------------------------
# memory

def jcmd(pid, *command, timeout=60):
    return run(["jcmd", str(pid), *command], timeout=timeout).stdout


def kib(text):
    """'12345K' -> 12345 (KiB)."""
    number = re.match(r"(\d+)([KMG]?)", text)
    value = int(number.group(1))
    return value * {"": 1, "K": 1, "M": 1024, "G": 1024 * 1024}[number.group(2)]


def parse_heap_info(text):
    """jcmd GC.heap_info (G1): heap total/used and metaspace used/committed, in MiB."""
    heap = re.search(r"heap\s+total (\d+[KMG]?), used (\d+[KMG]?)", text)
    meta = re.search(r"Metaspace\s+used (\d+[KMG]?), committed (\d+[KMG]?)", text)
    if not heap or not meta:
        raise BenchError(f"unexpected GC.heap_info output:\n{text}")
    return {
        "heap_committed_mib": kib(heap.group(1)) / 1024,
        "heap_used_mib": kib(heap.group(2)) / 1024,
        "metaspace_used_mib": kib(meta.group(1)) / 1024,
        "metaspace_committed_mib": kib(meta.group(2)) / 1024,
    }


def parse_vm_flags(text):
    flags = {}
    for flag in re.findall(r"-XX:([+-]?\w+(?:=\S+)?)", text):
        if "=" in flag:
            key, value = flag.split("=", 1)
            flags[key] = value
        else:
            flags[flag.lstrip("+-")] = flag.startswith("+")
    return flags


def measure_memory(pid, settle=3.0):
    """RSS and threads as they are, then a full GC (jcmd GC.run) and the heap left: the live set.
    settle: seconds to wait first, so that provisioning's last requests have been handled."""
    time.sleep(settle)
    before = proc_status(pid)
    classes = run(["jstat", "-class", str(pid)], timeout=60).stdout.split("\n")[1].split()
    jcmd(pid, "GC.run")
    time.sleep(0.5)
    heap = parse_heap_info(jcmd(pid, "GC.heap_info"))
    after = proc_status(pid)
    flags = parse_vm_flags(jcmd(pid, "VM.flags"))
    return {
        "rss_mib": kib(before["VmRSS"].split()[0] + "K") / 1024,
        "rss_after_gc_mib": kib(after["VmRSS"].split()[0] + "K") / 1024,
        "threads": int(before["Threads"]),
        "loaded_classes": int(classes[0]),
        "heap_live_mib": heap["heap_used_mib"],
        "heap_committed_after_gc_mib": heap["heap_committed_mib"],
        "metaspace_used_mib": heap["metaspace_used_mib"],
        "max_heap_mib": int(flags.get("MaxHeapSize", "0")) / (1024 * 1024),
        "vm_flags": {key: flags[key] for key in
                     ("MaxHeapSize", "InitialHeapSize", "UseG1GC", "ExitOnOutOfMemoryError") if key in flags},
    }


# ---------------------------------------------------------------------------------------------
# the systems under test

class Postino:
    """The built distribution, untarred once; each instance has its own fresh POSTINO_HOME
    (conf copied from the distribution, empty data, run and log directories)."""

    name = "postino"
    label = "Postino"

    def __init__(self, dist_dir, home):
        self.dist = dist_dir
        self.home = home
        self.pid = None
        self.listeners = {}
        self.webadmin_port = None
        self.start_output = ""

    @staticmethod
    def unpack(tarball, into, attempts=20):
        """Untar a private copy of the distribution into `into`. A build running at the same time
        may be rewriting the tarball: a copy that does not untar whole is retried every 15 s.
        Returns (distribution folder, facts about the copy used)."""
        for attempt in range(1, attempts + 1):
            if into.exists():
                shutil.rmtree(into)
            into.mkdir(parents=True)
            copy = into / tarball.name
            try:
                mtime = tarball.stat().st_mtime
                shutil.copyfile(tarball, copy)
                with tarfile.open(copy) as archive:
                    archive.extractall(into, filter="tar")
            except (OSError, EOFError, tarfile.TarError) as e:
                if attempt == attempts:
                    raise BenchError(f"{tarball} does not untar: {e}") from None
                log(f"{tarball} does not untar whole ({e}); a build may be writing it: retrying in 15 s")
                time.sleep(15)
                continue
            digest = hashlib.sha256(copy.read_bytes()).hexdigest()
            copy.unlink()
            roots = [p for p in into.iterdir() if (p / "bin" / "postino").exists()]
            if len(roots) != 1:
                raise BenchError(f"no single distribution folder with bin/postino in {tarball}")
            built = datetime.datetime.fromtimestamp(mtime).isoformat(timespec="seconds")
            return roots[0], {"path": str(tarball), "sha256": digest, "modified": built}
        raise AssertionError("unreachable")

    def env(self):
        env = dict(os.environ)
        env["POSTINO_HOME"] = str(self.home)
        env["POSTINO_HEAP"] = HEAP
        env.pop("POSTINO_LIB", None)
        env.pop("POSTINO_JAVA_OPTS", None)
        return env

    def prepare(self):
        conf = self.home / "conf"
        shutil.copytree(self.dist / "conf", conf)
        settings = (conf / "postino.properties").read_text(encoding="utf-8")
        (conf / "postino.properties").write_text(settings.rstrip("\n") + f"\nlisten.address={LOOPBACK}\n",
                                                 encoding="utf-8")
        dns = (conf / "dnsservice.xml").read_text(encoding="utf-8")
        dns, replaced = re.subn(r"<autodiscover>\s*true\s*</autodiscover>", "<autodiscover>false</autodiscover>", dns)
        if not replaced and "<autodiscover>false</autodiscover>" not in dns:
            raise BenchError("conf/dnsservice.xml has no <autodiscover> to turn off")
        (conf / "dnsservice.xml").write_text(dns, encoding="utf-8")
        self.listeners = assign_listener_ports(conf, self.dist / "conf")
        self.webadmin_port = free_ports(1)[0]
        webadmin = (conf / "webadmin.properties").read_text(encoding="utf-8")
        webadmin, replaced = re.subn(r"(?m)^port=.*$", f"port={self.webadmin_port}", webadmin)
        webadmin = re.sub(r"(?m)^host=.*$", f"host={LOOPBACK}", webadmin)
        if not replaced:
            raise BenchError("conf/webadmin.properties has no port=")
        (conf / "webadmin.properties").write_text(webadmin, encoding="utf-8")
        self.jmap_port = free_ports(1)[0]
        jmap = (conf / "jmap.properties").read_text(encoding="utf-8")
        jmap, replaced = re.subn(r"(?m)^bind=.*$", f"bind={LOOPBACK}:{self.jmap_port}", jmap)
        if not replaced:
            raise BenchError("conf/jmap.properties has no bind=")
        (conf / "jmap.properties").write_text(jmap, encoding="utf-8")

    @property
    def smtp_port(self):
        return self.listeners["smtp"]

    def _pid_from_file(self):
        try:
            text = (self.home / "run" / "postino.pid").read_text(encoding="ascii").strip()
        except OSError:
            return None
        if not text.isdigit():
            return None
        if self.pid is None:
            self.pid = int(text)
            register_pid(self.pid, str(self.home))
        return self.pid

    def start(self, timeout):
        """bin/postino start, timed. Returns the timing record (seconds from the invocation)."""
        env = self.env()
        env["POSTINO_START_TIMEOUT"] = str(int(timeout))
        ready_file = self.home / "run" / "postino.ready"
        # A start after a crash (kill -9) finds the old pid and ready files: bin/postino replaces them,
        # but the probes below would read them first (a dead pid, "ready" at once).
        if self.pid is not None and alive(self.pid):
            raise BenchError(f"Postino in {self.home} is still running (pid {self.pid})")
        self.pid = None
        for stale in (ready_file, self.home / "run" / "postino.pid"):
            stale.unlink(missing_ok=True)
        t0 = time.monotonic()
        command = subprocess.Popen([str(self.dist / "bin" / "postino"), "start"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        watch = StartWatch(t0, self.smtp_port, ready_file.exists, self._pid_from_file)
        try:
            output, _ = command.communicate(timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            command.kill()
            output, _ = command.communicate()
        t_return = time.monotonic() - t0
        self.start_output = output.strip()
        self._pid_from_file()
        if command.returncode != 0:
            watch.stop()
            raise BenchError(f"bin/postino start exited {command.returncode}: {self.start_output}\n"
                             f"{self.log_tail()}")
        watch.wait(time.monotonic() + 60, lambda: self.pid is not None and alive(self.pid))
        return {
            "start_to_smtp_banner_s": watch.t_banner,
            "start_to_ready_s": watch.t_ready,
            "start_to_command_return_s": t_return,
            "cpu_s_at_smtp_banner": watch.cpu_at_banner,
            "cpu_s_at_ready": watch.cpu_at_ready,
            "other_cpu_s_during_start": watch.other_cpu_s,
            "smtp_banner": watch.banner,
        }

    def provision(self, domain, users):
        """The domain and the first user through bin/postino (each command is a short JVM, so this
        keeps the admin commands exercised), the other users with the very request those commands
        send (WebAdmin PUT /users/ADDRESS), so that no client JVM is still busy when memory is read."""
        started = time.monotonic()
        admin = str(self.dist / "bin" / "postino")
        run([admin, "domain", "add", domain], env=self.env(), timeout=60)
        (address, password), *others = users
        run([admin, "user", "add", address, password], env=self.env(), timeout=60)
        put_users(self.webadmin_port, others)
        return time.monotonic() - started

    def user_count(self):
        return count_users(self.webadmin_port)

    def stop(self):
        if self.pid is None:
            self._pid_from_file()
        if self.pid is None or not alive(self.pid):
            return None
        started = time.monotonic()
        try:
            run([str(self.dist / "bin" / "postino"), "stop"], env=self.env(), timeout=150, check=False)
        finally:
            if alive(self.pid):
                end_process(self.pid, grace=10)
        return time.monotonic() - started

    def log_tail(self, lines=30):
        parts = []
        for name in ("console.err", "postino.log"):
            path = self.home / "log" / name
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path}\n" + "\n".join(text))
        return "\n".join(parts)


class JamesPeer:
    """The stock Apache James memory app (org.apache.james.MemoryJamesServerMain) in a fresh
    working directory. Its configuration makes it comparable to Postino: the listener files and
    the mail pipeline are the distribution's own (same listeners, same TLS keystore, same mailets
    and handlers minus those of Postino's own classes, which stock James does not have, and
    memory:// instead of file:// repositories), the storage files come from dropin-it's
    dropin-conf (memory repositories), WebAdmin on, JMX off (Postino has none)."""

    name = "james-memory"
    label = "James memory app"
    READY_LINE = "JAMES server started"

    def __init__(self, lib_dir, workdir, postino_conf, dropin_conf, keystore):
        self.lib = lib_dir
        self.workdir = workdir
        self.postino_conf = postino_conf
        self.dropin_conf = dropin_conf
        self.keystore = keystore
        self.pid = None
        self.process = None
        self.listeners = {}
        self.webadmin_port = None
        self.removed_postino_classes = []

    @staticmethod
    def make_keystore(path):
        """The same RSA-2048 PKCS12 keystore Postino's first start generates for itself. Made once,
        before any timing, and copied into each fresh working directory. Returns keytool's time."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        started = time.monotonic()
        run(["keytool", "-genkeypair", "-noprompt", "-alias", "postino", "-keyalg", "RSA", "-keysize", "2048",
             "-validity", "3650", "-dname", "CN=localhost, O=Postino self-signed",
             "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", str(path),
             "-storepass", KEYSTORE_SECRET, "-keypass", KEYSTORE_SECRET], timeout=120)
        return time.monotonic() - started

    def prepare(self):
        conf = self.workdir / "conf"
        conf.mkdir(parents=True)
        for name in ("dnsservice.xml", "domainlist.xml", "recipientrewritetable.xml", "mailrepositorystore.xml",
                     "listeners.xml"):
            shutil.copy(self.dropin_conf / name, conf / name)
        # Postino's files, all in stock James's own format
        shutil.copy(self.postino_conf / "usersrepository.xml", conf / "usersrepository.xml")
        removed = []

        def stock(text):
            text, classes = strip_postino(text)
            removed.extend(classes)
            return text

        pipeline = stock((self.postino_conf / "mailetcontainer.xml").read_text(encoding="utf-8"))
        (conf / "mailetcontainer.xml").write_text(pipeline.replace("file://var/mail/", "memory://var/mail/"),
                                                  encoding="utf-8")
        self.listeners = assign_listener_ports(conf, self.postino_conf, stock)
        self.removed_postino_classes = sorted(set(removed))
        self.webadmin_port = free_ports(1)[0]
        (conf / "webadmin.properties").write_text(
            f"enabled=true\nport={self.webadmin_port}\nhost={LOOPBACK}\nhttps.enabled=false\n", encoding="utf-8")
        (conf / "jmx.properties").write_text("jmx.enabled=false\n", encoding="utf-8")
        # JMAP stays off (Postino has none); health checks as often as Postino's
        (conf / "jmap.properties").write_text("enabled=false\n", encoding="utf-8")
        shutil.copy(self.postino_conf / "healthcheck.properties", conf / "healthcheck.properties")
        # Postino's logback.xml with the log file under this working directory
        logback = (self.postino_conf / "logback.xml").read_text(encoding="utf-8")
        logback = logback.replace("${postino.home:-.}/log/postino", f"{self.workdir}/log/james")
        (conf / "logback.xml").write_text(logback, encoding="utf-8")
        tls = self.workdir / "var" / "tls"
        tls.mkdir(parents=True)
        shutil.copy(self.keystore, tls / "selfsigned.p12")
        (self.workdir / "log").mkdir()

    @property
    def smtp_port(self):
        return self.listeners["smtp"]

    def _ready(self):
        path = self.workdir / "log" / "james.log"
        try:
            with open(path, encoding="utf-8", errors="replace") as text:
                return any(self.READY_LINE in line for line in text)
        except OSError:
            return False

    def start(self, timeout):
        command = ["java", *SERVER_JVM_OPTS, f"-Dworking.directory={self.workdir}",
                   f"-Dlogback.configurationFile={self.workdir / 'conf' / 'logback.xml'}",
                   "-cp", f"{self.lib}/*", "org.apache.james.MemoryJamesServerMain"]
        t0 = time.monotonic()
        with open(self.workdir / "log" / "console.out", "w") as out:
            self.process = subprocess.Popen(command, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        self.pid = self.process.pid
        register_pid(self.pid, str(self.workdir))
        watch = StartWatch(t0, self.smtp_port, self._ready, lambda: self.pid)
        try:
            watch.wait(t0 + timeout, lambda: self.process.poll() is None)
        except BenchError as e:
            raise BenchError(f"James memory app: {e}\n{self.log_tail()}") from None
        return {
            "start_to_smtp_banner_s": watch.t_banner,
            "start_to_ready_s": watch.t_ready,
            "cpu_s_at_smtp_banner": watch.cpu_at_banner,
            "cpu_s_at_ready": watch.cpu_at_ready,
            "other_cpu_s_during_start": watch.other_cpu_s,
            "smtp_banner": watch.banner,
        }

    def provision(self, domain, users):
        """The domain and users through WebAdmin, as bin/postino's commands do for Postino."""
        started = time.monotonic()
        status, body = http("PUT", f"http://{LOOPBACK}:{self.webadmin_port}/domains/{domain}")
        if status != 204:
            raise BenchError(f"PUT /domains/{domain} answered {status}: {body[:500]}")
        put_users(self.webadmin_port, users)
        return time.monotonic() - started

    def user_count(self):
        return count_users(self.webadmin_port)

    def stop(self):
        if self.pid is None or not alive(self.pid):
            return None
        seconds = end_process(self.pid, grace=60)
        if self.process is not None:
            self.process.wait(timeout=10)
        return seconds

    def log_tail(self, lines=30):
        parts = []
        for name in ("console.out", "james.log"):
            path = self.workdir / "log" / name
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path}\n" + "\n".join(text))
        return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# reporting

def _first_line(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        return (result.stdout + result.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable: {e}"


def machine_facts():
    meminfo = {}
    with open("/proc/meminfo", encoding="ascii") as lines:
        for line in lines:
            key, _, value = line.partition(":")
            meminfo[key] = value.strip()
    cpu_model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    commit = _first_line(["git", "-C", str(REPO), "rev-parse", "HEAD"])
    dirty = _first_line(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        load = loadavg.read().split()[:3]
    return {
        "nproc": int(_first_line(["nproc"]) or 0),
        "cpu_model": cpu_model,
        "mem_total": meminfo.get("MemTotal"),
        "mem_available": meminfo.get("MemAvailable"),
        "kernel": os.uname().release,
        "loadavg_at_start": load,
        "java_version": _first_line(["java", "-version"]).splitlines(),
        "python": _first_line(["python3", "--version"]),
        "postino_version": POSTINO_VERSION,
        "postino_commit": commit + (" (work tree has uncommitted changes)" if dirty else ""),
        "james_version": JAMES_VERSION,
    }


def summarize(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def write_results(directory, stem, data, markdown):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{stem}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (directory / f"{stem}.md").write_text(markdown, encoding="utf-8")
    return directory / f"{stem}.json", directory / f"{stem}.md"


def fmt(value, digits=1, unit=""):
    """A figure for a report: thousands separated, floats to `digits` places, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


def today():
    return datetime.date.today().isoformat()


def _interrupted(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run_main(main, trace=True):
    """The entry point of every bench script: SIGTERM (from the shell script's trap) unwinds like Ctrl-C, so every
    server is stopped on the way out; a BenchError exits 1, an interruption 130."""
    import signal
    import sys
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        main()
    except BenchError as e:
        log(f"FAILED: {e}")
        if trace:
            import traceback
            traceback.print_exc()
        sys.exit(1)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)


def finish(out, name, data, markdown_text, records):
    """Writes the results, prints the Markdown, and exits 1 listing the scenarios' failures, if any."""
    import sys
    json_path, md_path = write_results(out, name, data, markdown_text)
    print(md_path.read_text(encoding="utf-8"))
    log(f"results in {json_path.parent} ({data['elapsed_s'] / 60:.1f} min)")
    failures = [f"{scenario}: {f}" for scenario, r in records.items() for f in r["failures"]]
    if failures:
        log(f"{len(failures)} failure(s):\n" + "\n".join(failures))
        sys.exit(1)
