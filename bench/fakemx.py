"""Fake remote MXs for bench/priority.sh (Python standard library only): one asyncio event loop in
a background thread serving any number of them, each on its own loopback address and the same port
(DeliverRemotely's <port> applies to every destination; the destinations are domain literals, so
no DNS is involved). The same behaviours as the Java ITs' FakeMx
(mailets/src/test/java/org/postino/mailets/delivery/fake/FakeMx.java):

  sink       answers every command at once; records the arrival (end of DATA) of every message by
             its Message-ID; no STARTTLS offered, so Postino's opportunistic TLS delivers in clear
  slow sink  the same, but waits `data_delay` seconds before its reply to the end of DATA (the
             session stays open meanwhile, as a slow real MX would keep it)
  blackhole  accepts TCP connections and never sends a byte (no greeting): the client times out;
             counts connections, holds each until the client closes it

Times are time.monotonic() (CLOCK_MONOTONIC: the same clock as the probes in this process).
"""

import asyncio
import re
import socket
import threading
import time

from harness import BenchError

MESSAGE_ID = re.compile(rb"(?im)^Message-ID:[ \t]*(<[^>\r\n]*>)")


class FakeMx:
    """What one fake MX saw. Filled in by the event loop's thread, read by others (under `changed`)."""

    def __init__(self, name, address, port, kind, data_delay=0.0):
        self.name = name
        self.address = address
        self.port = port
        self.kind = kind  # "sink" or "blackhole"
        self.data_delay = data_delay
        self.changed = threading.Condition()
        self.connections = 0
        self.open_sessions = 0
        self.max_open_sessions = 0
        self.arrivals = {}  # Message-ID -> [monotonic time of the end of DATA, ...]
        self.arrival_times = []  # every message's end of DATA, in order
        self.replied_times = []  # every message's 250 after DATA, in order (later than arrival by data_delay)
        self.transactions = 0
        self.server = None

    @property
    def domain(self):
        return f"[{self.address}]"

    # -- read by the scenarios ------------------------------------------------------------------

    def count(self):
        with self.changed:
            return len(self.arrival_times)

    def arrived_between(self, start, end):
        with self.changed:
            return sum(1 for t in self.arrival_times if start <= t <= end)

    def replied_between(self, start, end):
        with self.changed:
            return sum(1 for t in self.replied_times if start <= t <= end)

    def timeline(self, start, end, bucket=2.0):
        """Messages that arrived in each `bucket` seconds from start to end (monotonic times)."""
        counts = [0] * max(1, int((end - start) / bucket + 0.999))
        with self.changed:
            for t in self.arrival_times:
                if start <= t < end:
                    counts[min(len(counts) - 1, int((t - start) / bucket))] += 1
        return counts

    def connection_count(self):
        with self.changed:
            return self.connections

    def wait_arrival(self, message_id, timeout):
        """Monotonic time the message with this Message-ID arrived (its first copy), None after timeout."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while message_id not in self.arrivals:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.changed.wait(min(remaining, 1.0))
            return self.arrivals[message_id][0]

    def wait_until(self, predicate, timeout):
        """Waits until predicate(self) holds (checked whenever something changes, at least every second)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.changed.wait(min(remaining, 1.0))
            return True

    def copies(self, message_ids):
        """{Message-ID: copies received} for the given ids (0 when none came)."""
        with self.changed:
            return {m: len(self.arrivals.get(m, ())) for m in message_ids}

    def record(self):
        with self.changed:
            return {"address": f"{self.address}:{self.port}", "kind": self.kind,
                    "data_delay_s": self.data_delay, "connections": self.connections,
                    "max_open_sessions": self.max_open_sessions, "messages": len(self.arrival_times),
                    "transactions_replied": len(self.replied_times),
                    "duplicate_message_ids": sum(1 for v in self.arrivals.values() if len(v) > 1)}

    # -- the protocol (event loop thread) ------------------------------------------------------

    def _opened(self):
        with self.changed:
            self.connections += 1
            self.open_sessions += 1
            self.max_open_sessions = max(self.max_open_sessions, self.open_sessions)
            self.changed.notify_all()

    def _closed(self):
        with self.changed:
            self.open_sessions -= 1

    async def serve(self, reader, writer):
        self._opened()
        try:
            if self.kind == "blackhole":
                while await reader.read(65536):  # never answer; until the client gives up
                    pass
                return
            await self._session(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            self._closed()
            try:
                writer.close()
            except OSError:
                pass

    async def _session(self, reader, writer):
        async def reply(text):
            writer.write(text.encode("ascii") + b"\r\n")
            await writer.drain()

        await reply("220 fake.mx ESMTP bench")
        while True:
            line = await reader.readline()
            if not line:
                return
            command = line.strip().upper()
            if command.startswith(b"EHLO"):
                await reply("250-fake.mx\r\n250-8BITMIME\r\n250-SIZE 100000000\r\n250 PIPELINING")
            elif command.startswith(b"HELO"):
                await reply("250 fake.mx")
            elif command.startswith(b"MAIL FROM:"):
                await reply("250 2.1.0 ok")
            elif command.startswith(b"RCPT TO:"):
                await reply("250 2.1.5 ok")
            elif command == b"DATA":
                await reply("354 go ahead")
                head = b""
                while True:
                    data_line = await reader.readline()
                    if not data_line:
                        return
                    if data_line in (b".\r\n", b".\n"):
                        break
                    if len(head) < 16384:
                        head += data_line
                arrived = time.monotonic()
                found = MESSAGE_ID.search(head.split(b"\r\n\r\n", 1)[0])
                message_id = found.group(1).decode("ascii", "replace") if found else None
                with self.changed:
                    self.arrival_times.append(arrived)
                    if message_id:
                        self.arrivals.setdefault(message_id, []).append(arrived)
                    self.changed.notify_all()
                if self.data_delay:
                    await asyncio.sleep(self.data_delay)
                await reply("250 2.0.0 queued")
                with self.changed:
                    self.replied_times.append(time.monotonic())
                    self.changed.notify_all()
            elif command == b"RSET" or command == b"NOOP":
                await reply("250 2.0.0 ok")
            elif command == b"QUIT":
                await reply("221 2.0.0 bye")
                return
            else:
                await reply("502 5.5.1 not implemented")


class FakeMxs:
    """The event loop thread and its servers. add() before start(); stop() closes them all."""

    def __init__(self):
        self.mxs = []
        self.loop = None
        self.thread = None

    def add(self, name, address, port, kind="sink", data_delay=0.0):
        if not address.startswith("127."):
            raise BenchError(f"fake MX {name}: {address} is not a loopback address")
        mx = FakeMx(name, address, port, kind, data_delay)
        self.mxs.append(mx)
        return mx

    def start(self):
        for mx in self.mxs:  # fail early and clearly when the address:port is taken
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                probe.bind((mx.address, mx.port))
            except OSError as e:
                raise BenchError(f"fake MX {mx.name}: cannot listen on {mx.address}:{mx.port}: {e}") from None
            finally:
                probe.close()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure = []

        def run():
            asyncio.set_event_loop(self.loop)
            try:
                for mx in self.mxs:
                    mx.server = self.loop.run_until_complete(
                        asyncio.start_server(mx.serve, mx.address, mx.port, reuse_address=True, backlog=512))
            except OSError as e:
                failure.append(e)
                ready.set()
                return
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, name="fake-mx", daemon=True)
        self.thread.start()
        ready.wait(10)
        if failure or not ready.is_set():
            raise BenchError(f"fake MXs did not start: {failure[0] if failure else 'timeout'}")
        return self

    def stop(self):
        if not self.loop or not self.thread:
            return

        async def close_all():
            for mx in self.mxs:
                if mx.server:
                    mx.server.close()
            for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
                task.cancel()

        try:
            asyncio.run_coroutine_threadsafe(close_all(), self.loop).result(timeout=10)
        except Exception:  # closing is best effort: the process ends soon after
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.thread = None


def free_common_port(addresses, attempts=200):
    """A port free on every one of the addresses (and on 127.0.0.1, where the server's ports are),
    never one harness.free_ports handed out before."""
    import harness
    for _ in range(attempts):
        port = harness.free_ports(1)[0]
        ok = True
        for address in addresses:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind((address, port))
            except OSError:
                ok = False
            finally:
                s.close()
            if not ok:
                break
        if ok:
            return port
    raise BenchError(f"no port free on all of {', '.join(addresses)}")
