"""Search scenario (issue 6), Postino only, two variants in one invocation: search.backend=opensearch (the
embedded OpenSearch node Postino starts as a child process) and search.backend=scanning (James's scanning
search: every search reads the whole mailbox from the database). Run through bench/search.sh.

Per variant, one fresh instance (its own POSTINO_HOME, free 127.0.0.1 ports, server heap 1g, node heap as
shipped, 512m), users on search.test:
  1. warm-up: unmeasured messages to warmup@ until visible and searchable;
  2. delivery batch on the (nearly) empty server: `batch` messages to batch@ over the SMTP sessions; rate
     = messages / (first SMTP command -> all visible over IMAP, STATUS MESSAGES polled every 0.1 s);
  3. per level N (e.g. 10,000 then 100,000 in big@'s INBOX): load the messages the INBOX lacks over
     `sessions` parallel SMTP sessions (the corpus repeated and varied + generated Italian mail, see
     search_corpus.py); index throughput = messages loaded / (start of loading -> an IMAP search of the
     INBOX counts N: UID SEARCH RETURN (COUNT) ALL, polled once STATUS says all N are stored); then the
     seeded query mix on one IMAP session with the INBOX selected: warm-up queries (unmeasured), then the
     measured ones, each timed from sending SEARCH to its tagged OK; a level whose queries exceed the
     time budget is cut (said so in the results, never extrapolated);
  4. the delivery batch again, now into big@'s INBOX holding the last level.
Ratios: OpenSearch / scanning for every figure of a level both reached; delivery with N stored / empty.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import harness
import load
import prio_common as pc
import search_client as sclient
import search_corpus as corpus_mod
import systems
from harness import BenchError, Postino, log

DOMAIN = corpus_mod.DOMAIN
PASSWORD = "search-bench-1"
BIG = f"big@{DOMAIN}"
BATCH = f"batch@{DOMAIN}"
WARMUP = f"warmup@{DOMAIN}"
VARIANTS = ["opensearch", "scanning"]
LABELS = {"opensearch": "OpenSearch (embedded node)", "scanning": "scanning (James)"}
NODE_READY = re.compile(r"OpenSearch node ready at (http://([\d.]+):(\d+)) in (\d+) ms \(pid (\d+)")
INDEX = "postino-mail"


class Context:
    def __init__(self, args, dist, messages, pool):
        self.smoke = args.smoke
        self.work = args.work
        self.dist = dist
        self.messages = messages
        self.pool = pool
        self.levels = args.levels
        self.queries = args.queries
        self.warmup_queries = args.warmup_queries
        self.query_budget_s = args.query_budget_s
        self.warmup_budget_s = args.warmup_budget_s
        self.query_timeout_s = args.query_timeout_s
        self.batch = args.batch
        self.warmup_messages = args.warmup_messages
        self.sessions = args.sessions
        self.seed = args.seed
        self.stored_timeout_s = 120 if args.smoke else 1800
        self.searchable_timeout_s = 120 if args.smoke else 1800
        self.measured = corpus_mod.query_sequence(pool, self.queries, self.seed, "measured")
        self.warmup_sequence = corpus_mod.query_sequence(pool, self.warmup_queries, self.seed, "warmup")


class CpuMeter:
    """CPU of the server, of its OpenSearch node, of this harness, and of everything else, over a phase."""

    def __init__(self, instance):
        self.instance = instance

    def _read(self):
        return (time.monotonic(), harness.machine_cpu_seconds(), harness.cpu_seconds_with_children(self.instance.pid) or 0.0,
                harness.cpu_seconds(self.instance.node_pid) or 0.0 if self.instance.node_pid else 0.0,
                harness.own_cpu_seconds())

    def __enter__(self):
        self.start = self._read()
        return self

    def __exit__(self, *exc):
        self.end = self._read()
        return False

    def record(self):
        t, machine, server, node, own = (b - a for a, b in zip(self.start, self.end))
        other = max(0.0, machine - server - node - own)
        return {"seconds": round(t, 2), "server_cpu_s": round(server, 2), "node_cpu_s": round(node, 2),
                "harness_cpu_s": round(own, 2), "other_cpu_s": round(other, 2),
                "other_cpu_share": round(other / max(t, 1e-9), 3)}


class Instance:
    """One Postino with search.backend=<variant>."""

    def __init__(self, ctx, variant):
        self.ctx = ctx
        self.variant = variant
        self.home = ctx.work / variant
        self.system = systems.make("postino", self.home, ctx.dist, None, None)
        self.pid = None
        self.node_pid = None
        self.node_url = None
        self.stopped = False
        self.record = {"home": str(self.home), "log": str(self.home / "log" / "postino.log")}

    @property
    def smtp_port(self):
        return self.system.inner.listeners["smtp"]

    @property
    def imap_port(self):
        return self.system.inner.listeners["imap"]

    def alive(self):
        return self.pid is not None and harness.alive(self.pid)

    def start(self):
        system = self.system
        system.prepare()
        properties = self.home / "conf" / "opensearch.properties"
        setting = f"search.backend={self.variant}"
        properties.write_text(properties.read_text(encoding="utf-8").rstrip("\n")
                              + f"\n\n# bench/search.sh\n{setting}\n", encoding="utf-8")
        self.record["opensearch_properties"] = [line for line in properties.read_text(encoding="utf-8").splitlines()
                                                if line.strip() and not line.startswith("#")]
        if not self.ctx.smoke:
            self.record["quiet_before_start"] = dict(zip(("waited_s", "busy_share", "quiet"),
                                                         harness.wait_for_quiet(max_wait=30)))
        self.record["start"] = system.start(240)
        self.pid = system.inner.pid
        self.record["provisioning_s"] = round(system.provision(DOMAIN, [(BIG, PASSWORD), (BATCH, PASSWORD),
                                                                        (WARMUP, PASSWORD)]), 2)
        self.record["listening"] = system.check_loopback_only()
        if self.variant == "opensearch":
            self.wait_node()
        else:
            self.record["node"] = None
            children = java_children(self.pid)
            if children:
                raise BenchError(f"search.backend=scanning, yet the server has a Java child process: {children}")

    def wait_node(self, timeout=240):
        """The embedded node starts in the background: its ready line in the server log gives its address
        and pid (registered for the shell's EXIT trap, checked to listen on the loopback only)."""
        started = time.monotonic()
        log_path = self.home / "log" / "postino.log"
        while time.monotonic() - started < timeout:
            text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
            match = NODE_READY.search(text)
            if match:
                self.node_url, self.node_pid = match.group(1), int(match.group(5))
                harness.register_pid(self.node_pid, str(self.home))
                self.record["node"] = {"url": self.node_url, "pid": self.node_pid, "start_ms": int(match.group(4)),
                                       "ready_after_server_ready_s": round(time.monotonic() - started, 1),
                                       "listening": harness.check_loopback_only(self.node_pid),
                                       "parent_is_server": parent_pid(self.node_pid) == self.pid}
                log(f"{self.variant}: OpenSearch node ready at {self.node_url} (pid {self.node_pid}, "
                    f"{match.group(4)} ms)")
                return
            if "embedded OpenSearch node did not start" in text:
                raise BenchError(f"the embedded OpenSearch node did not start\n{self.system.log_tail()}")
            if not self.alive():
                raise BenchError(f"the server exited while its OpenSearch node started\n{self.system.log_tail()}")
            time.sleep(0.5)
        raise BenchError(f"no 'OpenSearch node ready' line in {log_path} within {timeout} s")

    def node_count(self):
        """Documents the node can search (GET /postino-mail/_count; refreshed ones only). None if unknown."""
        if not self.node_url:
            return None
        try:
            status, body = harness.http("GET", f"{self.node_url}/{INDEX}/_count", timeout=10)
        except OSError:
            return None
        return json.loads(body).get("count") if status == 200 else None

    def resources(self):
        record = {"server_rss_mib": rss_mib(self.pid), "node_rss_mib": rss_mib(self.node_pid) if self.node_pid else None}
        var = self.home / "var"
        record["var_mib"] = du_mib(var)
        if (var / "opensearch").exists():
            record["var_opensearch_mib"] = du_mib(var / "opensearch")
        return record

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        stop_at = time.strftime("%Y-%m-%d %H:%M:%S") + ".000"
        try:
            self.record["stop_s"] = self.system.stop()
        finally:
            if self.node_pid and harness.alive(self.node_pid):
                log(f"{self.variant}: the OpenSearch node (pid {self.node_pid}) outlived the server: ending it")
                self.record["node_left_running_s"] = round(harness.end_process(self.node_pid, grace=20), 1)
            self.record["log_findings"] = pc.log_findings(self.system, stop_at)
            self.record["unsearchable"] = unsearchable(self.home / "log" / "postino.log")


def unsearchable(path):
    """James's scanning search logs 'Unable to search message MessageUid{uid=N}' (ERROR) for each message it
    cannot parse, on every search, and leaves it out of the answer: the distinct messages and the causes (the
    log and the files logback rolled it into, postino.<date>.<n>.log.gz)."""
    import gzip
    text = ""
    for rolled in sorted(path.parent.glob("postino.*.log.gz")):
        try:
            text += gzip.open(rolled, "rt", encoding="utf-8", errors="replace").read()
        except OSError:
            pass
    try:
        text += path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass
    if not text:
        return None
    uids = set(re.findall(r"Unable to search message MessageUid\{uid=(\d+)\}", text))
    if not uids:
        return None
    causes = {}
    for cause in re.findall(r"Unable to search message.*?\nCaused by: ([^\n]{0,120})", text, re.S):
        causes[cause] = causes.get(cause, 0) + 1
    return {"messages": len(uids), "error_lines": text.count("Unable to search message"),
            "causes": dict(sorted(causes.items(), key=lambda kv: -kv[1])[:5])}


def java_children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, timeout=10).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = []
    for child in out:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                text = cmdline.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "java" in text.split(" ", 1)[0]:
            found.append(f"{child}: {text[:200]}")
    return found


def parent_pid(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def rss_mib(pid):
    try:
        return round(harness.kib(harness.proc_status(pid)["VmRSS"].split()[0] + "K") / 1024, 1)
    except (OSError, KeyError):
        return None


def du_mib(path):
    try:
        out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, timeout=120).stdout
        return round(int(out.split()[0]) / 1024, 1)
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return None


# ---------------------------------------------------------------------------------------------
# phases

def wait_stored(instance, poller, target, timeout, stall_s=60.0):
    """poller.wait_for(target), but a count that has not moved for stall_s seconds makes it look at the
    mail repositories (WebAdmin): mail in one of them (error, address-error...) will never arrive, so that
    fails at once rather than after the timeout."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    started = last_log = time.monotonic()
    while time.monotonic() < deadline:
        reached = poller.wait_for(target, min(stall_s / 4, deadline - time.monotonic()), instance.alive)
        if reached is not None:
            return reached
        if not instance.alive():
            return None
        count = poller.latest()
        if time.monotonic() - last_log > 60:
            # all accepted over SMTP, the queue still delivering: say how far (a silent wait looks like a hang)
            log(f"{instance.variant}: {count or 0:,} of {target:,} stored, {time.monotonic() - started:.0f} s after "
                f"the last message was accepted")
            last_log = time.monotonic()
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > stall_s:
            sizes = {k: v for k, v in instance.system.mail_repositories().items() if v}
            if sizes:
                raise BenchError(f"{count} of {target} arrived and no more for {stall_s:.0f} s; mail repositories "
                                 f"hold {sizes}\n{instance.system.log_tail()}")
            since = time.monotonic()
    return None


def wait_searchable(instance, session, target, timeout, interval):
    """Polls the search count of the selected INBOX until it reaches target. Returns (monotonic time it
    did or None, [[seconds, imap count, node count]...], last count)."""
    started = time.monotonic()
    samples = []
    count = None
    while time.monotonic() - started < timeout:
        count = session.count_all()
        now = time.monotonic()
        samples.append([round(now - started, 2), count, instance.node_count()])
        if count >= target:
            return now, samples, count
        if not instance.alive():
            break
        time.sleep(interval)
    return None, samples, count


def expunge_all(ctx, instance, user):
    """Deletes every message of the user's INBOX (STORE \\Deleted, EXPUNGE) and waits until STATUS and a search
    both count 0: after the warm-up the server holds no mail again, so that the first delivery batch measures
    an empty server with a warm JVM. Returns {messages, seconds}."""
    started = time.monotonic()
    session = sclient.SearchImap(instance.imap_port, user, PASSWORD)
    try:
        exists = session.select()
        if exists:
            session.command("STORE 1:* +FLAGS.SILENT (\\Deleted)")
            session.command("EXPUNGE")
        deadline = time.monotonic() + ctx.searchable_timeout_s
        while time.monotonic() < deadline:
            if session.status_messages() == 0 and session.count_all() == 0:
                return {"messages": exists, "seconds": round(time.monotonic() - started, 1)}
            time.sleep(0.5)
    finally:
        session.close()
    raise BenchError(f"{user}'s INBOX not empty {ctx.searchable_timeout_s} s after EXPUNGE")


def deliver_batch(ctx, instance, recipient, stream, label, failures):
    """ctx.batch messages to recipient over ctx.sessions sessions; visible = STATUS MESSAGES reaches the
    count before + batch (polled every 0.1 s on its own session). OpenSearch variant: then also the time
    until a search of that INBOX counts them all."""
    poller = sclient.StatusPoller(instance.imap_port, recipient, PASSWORD, 0.1)
    try:
        # the count before the batch, read before the first message is sent (with 100,000 stored the first
        # STATUS answer can take longer than a fixed pause: a missing one taken as 0 made a batch "visible" at once)
        before = poller.first(120)
        with CpuMeter(instance) as cpu:
            loader = sclient.Loader(instance.smtp_port, ctx.messages, stream, recipient, 0, ctx.batch,
                                    ctx.sessions).start()
            loader.wait(ctx.stored_timeout_s)
            visible = wait_stored(instance, poller, before + loader.accepted, ctx.stored_timeout_s)
        record = {"recipient": recipient, "mailbox_before": before, "load": loader.record(), "cpu": cpu.record()}
        if loader.problems():
            failures.append(f"{label}: {loader.problems()}")
        if visible is None:
            failures.append(f"{label}: not all {ctx.batch} visible over IMAP within {ctx.stored_timeout_s} s "
                            f"(STATUS says {poller.latest()})")
            return record
        seconds = visible - loader.t_start
        record.update({"visible_s": round(seconds, 2), "delivered_msg_s": round(ctx.batch / seconds, 1)})
        if instance.variant == "opensearch":
            session = sclient.SearchImap(instance.imap_port, recipient, PASSWORD)
            try:
                session.select()
                reached, samples, count = wait_searchable(instance, session, before + ctx.batch,
                                                          ctx.searchable_timeout_s, 0.2)
            finally:
                session.close()
            record["searchable_s"] = round(reached - loader.t_start, 2) if reached else None
            if reached is None:
                failures.append(f"{label}: a search counted {count} of {before + ctx.batch} messages after "
                                f"{ctx.searchable_timeout_s} s")
        log(f"{instance.variant}: {label}: {ctx.batch} messages visible in {seconds:.1f} s = "
            f"{record['delivered_msg_s']} msg/s (accepted {loader.record()['accepted_msg_s']} msg/s)"
            + (f", searchable after {record.get('searchable_s')} s" if "searchable_s" in record else ""))
        return record
    finally:
        poller.close()


def load_level(ctx, instance, level, stored, first, failures):
    """Loads big@'s INBOX from `stored` to `level` messages (message numbers first, first + 1, ... of the
    'big' stream) and waits until a search counts them all."""
    label = f"load to {level:,}"
    count = level - stored
    poller = sclient.StatusPoller(instance.imap_port, BIG, PASSWORD, 1.0)
    node_samples = []
    record = {"level": level, "from": stored, "messages": count, "first_message": first}
    try:
        with CpuMeter(instance) as cpu:
            loader = sclient.Loader(instance.smtp_port, ctx.messages, "big", BIG, first, count, ctx.sessions).start()
            last_log = time.monotonic()
            while not loader.done():
                time.sleep(1.0)
                if instance.node_url and len(node_samples) < 2000:
                    node_samples.append([round(time.monotonic() - loader.t_start, 1), poller.latest(),
                                         instance.node_count()])
                if time.monotonic() - last_log > 60:
                    sclient.log_progress(f"{instance.variant}: {label}", poller, level, loader.t_start)
                    last_log = time.monotonic()
                if not instance.alive():
                    break
            loader.wait(60)
            record["load"] = loader.record()
            if loader.problems():
                failures.append(f"{label}: {loader.problems()}")
                level = stored + loader.accepted  # what can arrive: the counts below wait for that
            record["mailbox_target"] = level
            stored_at = wait_stored(instance, poller, level, ctx.stored_timeout_s)
            record["stored_s"] = round(stored_at - loader.t_start, 2) if stored_at else None
            if stored_at is None:
                failures.append(f"{label}: STATUS says {poller.latest()} of {level} stored after "
                                f"{ctx.stored_timeout_s} s")
                return record
            session = sclient.SearchImap(instance.imap_port, BIG, PASSWORD)
            try:
                # the first SELECT after the load clears \Recent on every message of the level
                select_started = time.monotonic()
                session.select()
                record["first_select_s"] = round(time.monotonic() - select_started, 2)
                reached, samples, found = wait_searchable(instance, session, level, ctx.searchable_timeout_s,
                                                          0.25 if ctx.smoke else 0.5)
            finally:
                session.close()
        record["cpu"] = cpu.record()
        record["stored_timeline"] = poller.timeline(loader.t_start, every=1.0 if ctx.smoke else 10.0)
        record["node_count_timeline"] = node_samples[::max(1, len(node_samples) // 200)] or None
        record["searchable_polls"] = samples[:50] + (samples[-10:] if len(samples) > 60 else [])
        if reached is None:
            failures.append(f"{label}: a search of the INBOX counted {found} of {level} messages "
                            f"{ctx.searchable_timeout_s} s after they were all stored")
            return record
        seconds = reached - loader.t_start
        record.update({
            "searchable_s": round(seconds, 2),
            "index_msg_s": round(count / seconds, 1),
            "stored_msg_s": round(count / (stored_at - loader.t_start), 1),
            "searchable_after_stored_s": round(reached - stored_at, 2),
            "server_cpu_ms_per_msg": round(1000 * record["cpu"]["server_cpu_s"] / count, 2),
            "node_cpu_ms_per_msg": round(1000 * record["cpu"]["node_cpu_s"] / count, 2),
        })
        log(f"{instance.variant}: {label}: {count:,} messages searchable after {seconds:.1f} s = "
            f"{record['index_msg_s']} msg/s (accepted {record['load']['accepted_msg_s']} msg/s, stored after "
            f"{record['stored_s']} s)")
        return record
    finally:
        poller.close()


def run_queries(ctx, instance, level, failures):
    """Warm-up queries, then the measured ones, on one IMAP session with big@'s INBOX selected."""
    record = {"level": level, "planned": len(ctx.measured)}
    samples = []
    session = sclient.SearchImap(instance.imap_port, BIG, PASSWORD, timeout=ctx.query_timeout_s)
    try:
        # what a mail client asks of a big mailbox besides SEARCH: STATUS counters, and SELECT (nothing recent left)
        status_ms = []
        for _ in range(3):
            t = time.perf_counter()
            session.command("STATUS INBOX (MESSAGES UNSEEN RECENT)")
            status_ms.append(round((time.perf_counter() - t) * 1000, 1))
        record["status_ms"] = status_ms
        t = time.perf_counter()
        record["exists"] = session.select()
        record["select_ms"] = round((time.perf_counter() - t) * 1000, 1)
        record["esearch"] = session.esearch
        warm = []
        started = time.monotonic()
        for kind, key, value, _ in ctx.warmup_sequence:
            if time.monotonic() - started > ctx.warmup_budget_s:
                break
            ms, hits = session.timed_search(key, value)
            warm.append(round(ms, 2))
        record["warmup"] = {"planned": len(ctx.warmup_sequence), "done": len(warm), "raw_ms": warm,
                            "seconds": round(time.monotonic() - started, 1)}
        if len(warm) < len(ctx.warmup_sequence):
            record["warmup"]["cut"] = f"time budget of {ctx.warmup_budget_s:.0f} s"
        started = time.monotonic()
        with CpuMeter(instance) as cpu:
            for n, (kind, key, value, _) in enumerate(ctx.measured):
                if time.monotonic() - started > ctx.query_budget_s:
                    record["cut"] = (f"{len(samples)} of {len(ctx.measured)} measured queries ran: the time budget "
                                     f"of {ctx.query_budget_s:.0f} s per level was used up")
                    log(f"{instance.variant} at {level:,}: {record['cut']}")
                    break
                ms, hits = session.timed_search(key, value)
                samples.append({"kind": kind, "query": f"{key} {value}", "ms": round(ms, 2), "hits": hits})
                if ctx.smoke is False and (n + 1) % 50 == 0:
                    log(f"{instance.variant} at {level:,}: {n + 1} queries")
        record["cpu"] = cpu.record()
    except sclient.SearchFailed as e:
        failures.append(f"search at {level:,}: {e}")
        record["error"] = str(e)
    except (OSError, BenchError) as e:
        failures.append(f"search at {level:,}: the IMAP session failed: {e}"
                        + ("" if instance.alive() else " (the server is gone)"))
        record["error"] = str(e)
    finally:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - a dead server: nothing to close
            pass
    record["samples"] = samples
    record["done"] = len(samples)
    record["stats"] = stats([s["ms"] for s in samples])
    record["by_kind"] = {kind: stats([s["ms"] for s in samples if s["kind"] == kind])
                         for kind in sorted({s["kind"] for s in samples})}
    hits = {}
    for s in samples:
        hits.setdefault(s["query"], set()).add(s["hits"])
    record["hits_by_query"] = {q: sorted(h) for q, h in sorted(hits.items())}
    unstable = {q: h for q, h in hits.items() if len(h) > 1}
    if unstable:
        failures.append(f"search at {level:,}: the same query found different counts: {dict(list(unstable.items())[:3])}")
    st = record["stats"]
    log(f"{instance.variant} at {level:,}: {st['n']} queries, p50 {st['p50_ms']} ms, p99 {st['p99_ms']} ms, "
        f"max {st['max_ms']} ms" + (f" (cut: {record['cut']})" if "cut" in record else ""))
    return record


def stats(values):
    values = sorted(values)
    if not values:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None, "min_ms": None}
    return {"n": len(values), "p50_ms": round(load.percentile(values, 50), 2),
            "p99_ms": round(load.percentile(values, 99), 2), "max_ms": round(values[-1], 2),
            "min_ms": round(values[0], 2), "mean_ms": round(sum(values) / len(values), 2)}


def run_variant(ctx, variant):
    instance = Instance(ctx, variant)
    failures = []
    record = {"variant": variant, "failures": failures, "levels": {}}
    try:
        instance.start()
        if ctx.warmup_messages:
            with CpuMeter(instance) as cpu:
                started = time.monotonic()
                loader = sclient.Loader(instance.smtp_port, ctx.messages, "warmup", WARMUP, 0, ctx.warmup_messages,
                                        ctx.sessions).start().wait(ctx.stored_timeout_s)
                if loader.problems():
                    raise BenchError(f"warm-up: {loader.problems()}")
                poller = sclient.StatusPoller(instance.imap_port, WARMUP, PASSWORD, 0.5)
                try:
                    if wait_stored(instance, poller, ctx.warmup_messages, ctx.stored_timeout_s) is None:
                        raise BenchError(f"warm-up: {poller.latest()} of {ctx.warmup_messages} stored")
                finally:
                    poller.close()
                session = sclient.SearchImap(instance.imap_port, WARMUP, PASSWORD)
                try:
                    session.select()
                    reached, _, count = wait_searchable(instance, session, ctx.warmup_messages, ctx.searchable_timeout_s, 0.5)
                finally:
                    session.close()
            record["warmup"] = {"load": loader.record(), "searchable_s": round(reached - started, 1) if reached else None,
                                "cpu": cpu.record()}
            if reached is None:
                raise BenchError(f"warm-up: a search counted {count} of {ctx.warmup_messages} messages")
            record["warmup"]["expunged"] = expunge_all(ctx, instance, WARMUP)
        record["batch_empty"] = deliver_batch(ctx, instance, BATCH, "batch", "delivery batch, empty server", failures)
        record["resources_empty"] = instance.resources()
        stored = first = 0
        for level in ctx.levels:
            if not instance.alive():
                failures.append(f"the server is gone before level {level:,}")
                break
            level_record = {"load": load_level(ctx, instance, level, stored, first, failures)}
            record["levels"][str(level)] = level_record
            if level_record["load"].get("searchable_s") is None:
                break
            first += level - stored
            stored = level_record["load"]["mailbox_target"]
            level_record["resources"] = instance.resources()
            level_record["queries"] = run_queries(ctx, instance, level, failures)
        if instance.alive() and str(ctx.levels[-1]) in record["levels"] \
                and record["levels"][str(ctx.levels[-1])].get("queries"):
            record["batch_loaded"] = deliver_batch(ctx, instance, BIG, "batch-big",
                                                   f"delivery batch, {stored:,} stored", failures)
            record["batch_loaded"]["stored_before"] = stored
            empty, loaded = record["batch_empty"].get("delivered_msg_s"), record["batch_loaded"].get("delivered_msg_s")
            if empty and loaded:
                record["delivery_loaded_over_empty"] = round(loaded / empty, 3)
        record["resources_end"] = instance.resources()
    except BenchError as e:
        failures.append(str(e))
        log(f"{variant}: FAILED: {e}")
    finally:
        try:
            instance.stop()
        except BenchError as e:
            failures.append(f"stop: {e}")
        record["instance"] = instance.record
        if instance.record.get("node_left_running_s") is not None:
            failures.append(f"the OpenSearch node outlived the server's stop (ended by the harness)")
        if not ctx.smoke:
            # the data (Derby, KahaDB, OpenSearch: gigabytes at 100,000) is not kept; the logs are
            shutil.rmtree(instance.home / "var", ignore_errors=True)
    return record


# ---------------------------------------------------------------------------------------------
# report

def ratio(a, b, digits=2):
    return round(a / b, digits) if a is not None and b else None


def comparisons(data):
    variants = data["variants"]
    out = {}
    os_, sc = variants.get("opensearch"), variants.get("scanning")
    for level in data["parameters"]["levels"]:
        key = str(level)
        row = {}
        a = (os_ or {}).get("levels", {}).get(key, {})
        b = (sc or {}).get("levels", {}).get(key, {})
        row["index_msg_s"] = ratio(a.get("load", {}).get("index_msg_s"), b.get("load", {}).get("index_msg_s"))
        for p in ("p50_ms", "p99_ms", "mean_ms"):
            row[p] = ratio((a.get("queries") or {}).get("stats", {}).get(p), (b.get("queries") or {}).get("stats", {}).get(p), 4)
        out[key] = row
    return out


fmt = harness.fmt


def markdown(data):
    p = data["parameters"]
    facts = data["machine"]
    variants = data["variants"]
    names = [v for v in VARIANTS if v in variants]
    lines = [f"# Search (Postino): OpenSearch index vs scanning — {data['date']}", "",
             f"`{data['command']}` — {data['elapsed_s'] / 60:.1f} min. Postino only, two instances in this run: "
             "`search.backend=opensearch` (embedded node, own JVM) and `search.backend=scanning` (James's scanning "
             "search). Ratios are OpenSearch ÷ scanning (throughput: above 1 = OpenSearch faster; latency: below 1 = "
             "OpenSearch faster).", ""]
    if data["smoke"]:
        lines += ["**Smoke run**: tiny N; the figures only show that the harness works.", ""]
    header = "| metric | " + " | ".join(LABELS[v] for v in names) + (" | OpenSearch ÷ scanning |" if len(names) == 2 else " |")
    lines += [header, "|---|" + "---:|" * (len(names) + (1 if len(names) == 2 else 0))]

    def row(label, getter, ratio_value=None, digits=1):
        cells = [(lambda x: x if isinstance(x, str) else fmt(x, digits))(getter(variants[v])) for v in names]
        extra = [fmt(ratio_value, 3 if ratio_value is not None and ratio_value < 0.1 else 2)] if len(names) == 2 else []
        lines.append(f"| {label} | " + " | ".join(cells + extra) + " |")

    comp = data["comparisons"]
    for level in p["levels"]:
        key = str(level)

        def lvl(v, *path, key=key):
            node = v.get("levels", {}).get(key, {})
            for part in path:
                node = (node or {}).get(part) if isinstance(node, dict) else None
            return node

        row(f"index throughput at {level:,}: msg/s, loading start → all searchable "
            f"({fmt(level - (p['levels'][p['levels'].index(level) - 1] if p['levels'].index(level) else 0))} msgs)",
            lambda v: lvl(v, "load", "index_msg_s"), comp[key]["index_msg_s"])
        row(f"… SMTP accepted msg/s ({p['sessions']} sessions)", lambda v: lvl(v, "load", "load", "accepted_msg_s"))
        row("… all stored (STATUS) → search counts all, s", lambda v: lvl(v, "load", "searchable_after_stored_s"), None, 2)
        row("… first SELECT after the load (clears \\Recent on the level's new messages), s",
            lambda v: lvl(v, "load", "first_select_s"), None, 2)
        row(f"STATUS INBOX (MESSAGES UNSEEN RECENT) at {level:,}, ms (3 in a row)",
            lambda v: ", ".join(str(x) for x in lvl(v, "queries", "status_ms")) if lvl(v, "queries", "status_ms") else None)
        row(f"SELECT INBOX at {level:,} (nothing recent), ms", lambda v: lvl(v, "queries", "select_ms"), None, 1)
        row(f"search p50 at {level:,}, ms", lambda v: lvl(v, "queries", "stats", "p50_ms"), comp[key]["p50_ms"], 2)
        row(f"search p99 at {level:,}, ms", lambda v: lvl(v, "queries", "stats", "p99_ms"), comp[key]["p99_ms"], 2)
        row(f"… queries measured (of {p['queries']})", lambda v: lvl(v, "queries", "done"))
    row(f"delivery, empty server: msg/s ({p['batch']:,} msgs, SMTP → visible in IMAP)",
        lambda v: v.get("batch_empty", {}).get("delivered_msg_s"))
    row(f"delivery with {p['levels'][-1]:,} stored: msg/s", lambda v: (v.get("batch_loaded") or {}).get("delivered_msg_s"))
    row("delivery with N stored ÷ empty", lambda v: v.get("delivery_loaded_over_empty"), None, 3)
    lines.append("")
    top = str(p["levels"][-1])
    os_ = variants.get("opensearch")
    if os_:
        p99 = (os_.get("levels", {}).get(top, {}).get("queries") or {}).get("stats", {}).get("p99_ms")
        d = os_.get("delivery_loaded_over_empty")
        lines += ["Targets (reported, not enforced), OpenSearch variant:", "",
                  f"- p99 under 50 ms at {int(top):,}: **{'yes' if p99 is not None and p99 < 50 else 'no' if p99 is not None else 'not measured'}** "
                  f"({fmt(p99, 2)} ms)",
                  f"- delivery rate with {int(top):,} stored within 10% of the empty server's: "
                  f"**{'yes' if d is not None and d >= 0.9 else 'no' if d is not None else 'not measured'}** (ratio {fmt(d, 3)})", ""]
    notes = []
    for v in names:
        for key, level_record in variants[v].get("levels", {}).items():
            q = level_record.get("queries") or {}
            if q.get("cut"):
                notes.append(f"- {LABELS[v]} at {int(key):,}: **cut**: {q['cut']}; its percentiles are over those "
                             f"{q.get('done')} queries (the first {q.get('done')} of the same seeded sequence).")
            if q.get("warmup", {}).get("cut"):
                notes.append(f"- {LABELS[v]} at {int(key):,}: warm-up cut to {q['warmup']['done']} of "
                             f"{q['warmup']['planned']} queries ({q['warmup']['cut']}).")
            for phase in ("load", "queries"):
                share = ((level_record.get(phase) or {}).get("cpu") or {}).get("other_cpu_share")
                if share is not None and share > pc.DISTURBED_SHARE:
                    notes.append(f"- {LABELS[v]} at {int(key):,}: other work on the machine took {share:.0%} of a CPU "
                                 f"during the {phase} phase: its figures are disturbed.")
        u = variants[v].get("instance", {}).get("unsearchable")
        if u:
            notes.append(f"- {LABELS[v]}: the search could not read {u['messages']} stored messages and left them out of "
                         f"its answers, logging ERROR `Unable to search message` each time ({u['error_lines']:,} lines; "
                         f"cause: {', '.join(f'`{c}`' for c in u['causes'])}).")
        for f in variants[v]["failures"]:
            notes.append(f"- {LABELS[v]}: FAILED: {f}")
    if notes:
        lines += ["Notes:", ""] + notes + [""]

    for v in names:
        rec = variants[v]
        lines += [f"## {LABELS[v]}", "", "| level | loaded | SMTP accepted msg/s | stored msg/s | searchable msg/s | "
                  "stored → searchable s | server CPU ms/msg | node CPU ms/msg | queries (n) | p50 ms | p99 ms | max ms | "
                  "mean ms | server RSS MiB | node RSS MiB | var MiB |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for key, lr in rec.get("levels", {}).items():
            ld, q, r = lr.get("load", {}), lr.get("queries") or {}, lr.get("resources") or {}
            st = q.get("stats", {})
            lines.append(f"| {int(key):,} | {fmt(ld.get('messages'))} | {fmt((ld.get('load') or {}).get('accepted_msg_s'))} "
                         f"| {fmt(ld.get('stored_msg_s'))} | {fmt(ld.get('index_msg_s'))} "
                         f"| {fmt(ld.get('searchable_after_stored_s'), 2)} | {fmt(ld.get('server_cpu_ms_per_msg'), 2)} "
                         f"| {fmt(ld.get('node_cpu_ms_per_msg'), 2)} | {fmt(st.get('n'))}{' (cut)' if q.get('cut') else ''} "
                         f"| {fmt(st.get('p50_ms'), 2)} | {fmt(st.get('p99_ms'), 2)} | {fmt(st.get('max_ms'), 2)} "
                         f"| {fmt(st.get('mean_ms'), 2)} | {fmt(r.get('server_rss_mib'))} | {fmt(r.get('node_rss_mib'))} "
                         f"| {fmt(r.get('var_mib'))} |")
        lines.append("")
        kinds = sorted({k for lr in rec.get("levels", {}).values() for k in ((lr.get("queries") or {}).get("by_kind") or {})})
        if kinds:
            lines += ["p50 / p99 ms by query kind (n):", "", "| level | " + " | ".join(kinds) + " |",
                      "|---:|" + "---:|" * len(kinds)]
            for key, lr in rec.get("levels", {}).items():
                bk = (lr.get("queries") or {}).get("by_kind") or {}
                cells = [f"{fmt(bk[k]['p50_ms'], 2)} / {fmt(bk[k]['p99_ms'], 2)} ({bk[k]['n']})" if k in bk else "–"
                         for k in kinds]
                lines.append(f"| {int(key):,} | " + " | ".join(cells) + " |")
            lines.append("")
        for label, key in (("empty server", "batch_empty"), ("loaded", "batch_loaded")):
            b = rec.get(key)
            if b:
                lines.append(f"- Delivery batch, {label}: {fmt(b['load']['accepted'])} of {fmt(b['load']['messages'])} "
                             f"accepted to {b['recipient']} (INBOX held {fmt(b['mailbox_before'])}), visible after "
                             f"{fmt(b.get('visible_s'), 2)} s = {fmt(b.get('delivered_msg_s'))} msg/s"
                             + (f", searchable after {fmt(b.get('searchable_s'), 2)} s" if b.get("searchable_s") else "")
                             + f"; server CPU {fmt(b['cpu']['server_cpu_s'], 1)} s, node {fmt(b['cpu']['node_cpu_s'], 1)} s, "
                             f"other work {b['cpu']['other_cpu_share']:.0%} of a CPU.")
        node = rec.get("instance", {}).get("node")
        if node:
            lines.append(f"- OpenSearch node: pid {node['pid']} (child of the server: {node['parent_is_server']}), "
                         f"{node['url']}, ready in {fmt(node['start_ms'])} ms, listening on "
                         f"{', '.join(node['listening'])}.")
        findings = rec.get("instance", {}).get("log_findings") or {}
        if "error_lines" in findings:
            lines.append(f"- Server log: {findings['error_lines']} ERROR, {findings['warn_lines']} WARN line(s) while "
                         f"running; {findings['error_lines_during_shutdown']} ERROR, "
                         f"{findings['warn_lines_during_shutdown']} WARN during the stop.")
            for line in findings.get("first_errors", [])[:3]:
                lines.append(f"  - `{line[:300]}`")
        lines.append("")

    # hits per query: do the two agree?
    if len(names) == 2:
        lines += ["## Messages found per query (OpenSearch / scanning)", "",
                  "The two backends differ by design: OpenSearch matches words (English and Italian stems, accents "
                  "folded), James's scanning search matches substrings. Equal counts are not expected everywhere.", ""]
        for level in p["levels"]:
            a = ((variants["opensearch"].get("levels", {}).get(str(level)) or {}).get("queries") or {}).get("hits_by_query", {})
            b = ((variants["scanning"].get("levels", {}).get(str(level)) or {}).get("queries") or {}).get("hits_by_query", {})
            queries = sorted(set(a) | set(b))
            if not queries:
                continue
            same = sum(1 for q in queries if q in a and q in b and a[q] == b[q])
            both = sum(1 for q in queries if q in a and q in b)
            lines += [f"At {level:,}: {same} of {both} queries run on both found the same number of messages.", "",
                      "| query | OpenSearch | scanning |", "|---|---:|---:|"]
            for q in queries:
                lines.append(f"| `{q}` | {', '.join(map(str, a.get(q, []))) or '–'} | {', '.join(map(str, b.get(q, []))) or '–'} |")
            lines.append("")

    c = data["corpus"]
    if c.get("excluded"):
        lines += [f"## Corpus messages left out ({len(c['excluded'])} of {c['messages_in_package']:,})", "",
                  "Robustness gaps of the server, outside this benchmark, found while building it. (1) The server's "
                  "javax.mail cannot parse and save some messages again (bench/MimeCheck.java does what Postino's first "
                  "mailet, AddQueueIdHeader, does: setHeader + saveChanges): sent to Postino, each ends in the error "
                  "repository (`Exception calling org.postino.mailets.AddQueueIdHeader: ...` in the log) instead of the "
                  f"mailbox. (2) For a line over {corpus_mod.MAX_LINE:,} bytes the SMTP server answers `500 Line length "
                  "exceeded` during DATA (twice for a 48 KB line), then `250 Message received` and delivers it: a client "
                  "that takes the 500 as the answer is out of step for the rest of the session (in a run, 3 later "
                  "messages were lost and the session hung). The load leaves these messages out.", "", "| message | why |", "|---|---|"]
        lines += [f"| `{name}` | {reason[:110].replace('|', '/')} |" for name, reason in sorted(c["excluded"].items())]
        lines.append("")
    lines += ["## Set-up", "",
              f"- Postino from its tarball (`{' '.join(harness.SERVER_JVM_OPTS)}`; the OpenSearch node with its default "
              "heap, 512m), one fresh POSTINO_HOME per variant, listeners and node on 127.0.0.1 (free ports), the "
              "variants one after the other (never at once). Only `conf/opensearch.properties` differs: "
              "`search.backend=opensearch` / `search.backend=scanning`.",
              f"- Mail: {c['package']}@{c['version']} ({c['messages']:,} of its {c['messages_in_package']:,} real messages, "
              f"{c['mean_raw_bytes']:,} bytes on "
              f"average: {', '.join(f'{k} {n}' for k, n in c['groups'].items())}), mbox 'From ' line and Message-ID "
              "dropped, repeated in a seeded order with a fresh Message-ID and an `X-Bench-Copy: <round>` header per "
              f"copy; every {corpus_mod.ITALIAN_EVERY}th message is generated Italian mail (UTF-8, 8bit; inflected "
              "forms such as messaggio/messaggi, consegna/consegne, accents such as perché, città, università).",
              f"- Loading: {p['sessions']} parallel SMTP sessions on the plain SMTP listener (Python, closed loop), one "
              f"recipient per message, all to big@{DOMAIN}'s INBOX. Stored = IMAP `STATUS INBOX (MESSAGES)` (every 1 s "
              "on its own session); searchable = `UID SEARCH RETURN (COUNT) ALL` (ESEARCH) on the selected INBOX "
              f"counts the level, polled once all are stored. Index throughput = messages loaded for the level ÷ "
              "(first SMTP connection → that count). Each instance first takes "
              f"{p['warmup_messages']:,} unmeasured messages (warmup@: the JVM's JIT warm-up), waits until they are "
              "visible and searchable, then expunges them all (STATUS and a search count 0), so the server is empty "
              "again for the first delivery batch.",
              f"- Queries: {len(data['query_pool'])} distinct ones (TEXT and BODY words found in 0.3–3% of the corpus's "
              "plain-text messages, SUBJECT words in 0.2–2% of its subjects, FROM fragments in 0.2–3% of its senders, "
              "chosen with a seeded generator; plus 10 Italian ones, two of them UTF-8 literals with `CHARSET UTF-8`); "
              f"a seeded sequence of {p['queries']} measured queries (the same for both variants and every level) after "
              f"{p['warmup_queries']} warm-up queries, one at a time on one IMAP session (STARTTLS) with the INBOX "
              "selected; time = first byte of `SEARCH` sent → tagged OK read (a literal's continuation round trip "
              f"included). Time budget per level and variant: {p['query_budget_s']:.0f} s for the measured queries "
              f"(then cut), {p['warmup_budget_s']:.0f} s for the warm-up; a query that takes over "
              f"{p['query_timeout_s']:.0f} s fails.",
              f"- Delivery batch: {p['batch']:,} messages (the same generator, stream 'batch') over the same sessions; "
              f"empty server: to batch@{DOMAIN} after the warm-up mail was expunged; loaded: to big@{DOMAIN}'s INBOX holding the last "
              "level. Rate = messages ÷ (first SMTP connection → STATUS of that INBOX, polled every 0.1 s, shows them "
              "all).",
              "- CPU: server (with the children it reaped), OpenSearch node, this harness, and other work on the "
              "machine (the rest of /proc/stat) per phase; over 30% of a CPU of other work is flagged as disturbed "
              "(not repeated: a level takes too long).",
              "",
              f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), MemTotal {facts['mem_total']}, kernel "
              f"{facts['kernel']}; {facts['java_version'][0] if facts['java_version'] else ''}; {facts['python']}; load "
              f"average at the start {' '.join(facts['loadavg_at_start'])}.",
              f"Versions: Postino {facts['postino_version']} at {facts['postino_commit']} (tarball "
              f"{data['tarball']['path']}, sha256 {data['tarball']['sha256'][:16]}…).", ""]
    return "\n".join(lines)


def levels_arg(text):
    levels = [int(x.replace("_", "")) for x in re.split(r"[,/]", text) if x]
    if not levels or levels != sorted(set(levels)) or levels[0] <= 0:
        raise argparse.ArgumentTypeError("levels: increasing positive numbers separated by ',', e.g. 10000,100000")
    return levels


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--levels", type=levels_arg, default=[10000, 100000], help="e.g. 10000,100000")
    parser.add_argument("--queries", type=int, default=200, help="measured queries per level and variant")
    parser.add_argument("--warmup-queries", type=int, default=30)
    parser.add_argument("--query-budget-s", type=float, default=300.0)
    parser.add_argument("--warmup-budget-s", type=float, default=60.0)
    parser.add_argument("--query-timeout-s", type=float, default=900.0)
    parser.add_argument("--batch", type=int, default=2000, help="delivery batch, empty and loaded")
    parser.add_argument("--warmup-messages", type=int, default=3000)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--npm-prefix", type=Path, required=True)
    parser.add_argument("--tarball", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--command", default="bench/search.sh")
    args = parser.parse_args()
    if args.smoke:
        args.levels, args.queries, args.warmup_queries, args.batch = [100, 200], 10, 3, 40
        args.warmup_messages, args.sessions, args.query_budget_s, args.query_timeout_s = 20, 4, 60.0, 60.0
        args.warmup_budget_s = 30.0
    variants = [v for v in args.variants.split(",") if v]
    if not variants or set(variants) - set(VARIANTS):
        raise SystemExit(f"--variants: some of {', '.join(VARIANTS)}")

    facts = harness.machine_facts()
    facts["other_benchmarks_at_start"] = pc.other_benchmarks()
    data_dir, version = corpus_mod.ensure_package(args.npm_prefix)
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    dist, tarball = Postino.unpack(args.tarball, args.work / "dist")
    excluded = corpus_mod.unsavable(data_dir, dist, harness.BENCH / "MimeCheck.java")
    corpus = corpus_mod.Corpus(data_dir, excluded)
    log(f"{len(corpus.exclude)} corpus messages left out ({len(excluded)} the server's javax.mail cannot save again: "
        "they would land in the error repository; the others for lines over "
        f"{corpus_mod.MAX_LINE} bytes); listed in the results")
    pool = corpus_mod.query_pool(corpus, args.seed)
    tag = "s" + datetime.datetime.now().strftime("%Y%m%d%H%M%S")
    run_date = harness.today()  # the day it started (the results folder's), not the one it ended
    ctx = Context(args, dist, corpus_mod.Messages(corpus, args.seed, tag), pool)
    started = time.monotonic()
    records = {}
    for variant in variants:
        if not args.smoke:
            waited = pc.wait_for_other_benchmarks(max_wait=300)
            if waited["overlapping"]:
                log(f"other benchmarks still running: {waited['overlapping']}")
        log(f"variant {variant}: levels {', '.join(f'{n:,}' for n in args.levels)}")
        records[variant] = run_variant(ctx, variant)
        log(f"elapsed {(time.monotonic() - started) / 60:.1f} min")
        # what is measured so far, in case the run is cut short (overwritten by the full results at the end)
        partial = args.out / "search.partial.json"
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"variants": records, "levels": args.levels}, indent=1, default=str), encoding="utf-8")
    data = {"scenario": "search", "date": run_date, "command": args.command, "smoke": args.smoke,
            "comparison": "OpenSearch / scanning, two Postino instances in the same run, one after the other",
            "machine": facts, "tarball": tarball, "jvm_opts": harness.SERVER_JVM_OPTS,
            "parameters": {"levels": args.levels, "queries": args.queries, "warmup_queries": args.warmup_queries,
                           "query_budget_s": args.query_budget_s, "warmup_budget_s": args.warmup_budget_s,
                           "query_timeout_s": args.query_timeout_s, "batch": args.batch,
                           "warmup_messages": args.warmup_messages, "sessions": args.sessions, "seed": args.seed,
                           "variants": variants},
            "corpus": {**corpus.facts(), "version": version, "italian_every": corpus_mod.ITALIAN_EVERY,
                       "message_id_tag": tag},
            "query_pool": [{"kind": k, "query": f"{key} {value}", "note": note} for k, key, value, note in pool],
            "variants": records, "elapsed_s": time.monotonic() - started}
    data["comparisons"] = comparisons(data)
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        data["machine"]["loadavg_at_end"] = loadavg.read().split()[:3]
    (args.out / "search.partial.json").unlink(missing_ok=True)
    harness.finish(args.out, "search", data, markdown(data), records)


if __name__ == "__main__":
    harness.run_main(main)
