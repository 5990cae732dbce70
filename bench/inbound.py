"""Scenario inbound: SMTP to local mailboxes with Postfix's smtp-source, the same flags for every
system: 20 concurrent sessions (a new connection per message, smtp-source's default), one
recipient per message, spread evenly over the 1,000 mailboxes. 4 KiB and 100 KiB payloads.

accepted msg/s  = messages / (first connection -> last 250 after DATA, i.e. smtp-source done)
delivered msg/s = messages / (first connection -> the last message visible in its mailbox)
server CPU ms/msg = CPU time of the system's processes during the run / messages
"""

import load
from harness import BenchError, log

GROUP = "mailboxes"  # runs on the instance with the 1,000-mailbox population


def measure(ctx, system, size, messages, label):
    before = ctx.counted_before
    if before is None:  # other mail went in since the last count: let it settle, then count
        load.wait_queue_empty(system, timeout=ctx.drain_timeout)
        before = system.delivered_total()
    commands = load.smtp_source_commands(system.smtp_port, messages, ctx.sessions, size, ctx.mailboxes)
    with load.OtherCpu(system) as cpu:
        t0 = load.time.monotonic()
        sent_s, codes, errors = load.run_smtp_source(commands, timeout=ctx.send_timeout)
        reached, count = load.wait_delivered(system, before + messages, timeout=ctx.drain_timeout)
    ctx.counted_before = count
    record = {"messages": messages, "size_bytes": size, "sessions": ctx.sessions,
              "smtp_source": " ".join(commands[0][:-1]) + " HOST:PORT" + (f" (x{len(commands)} processes)"
                                                                        if len(commands) > 1 else ""),
              "smtp_source_exit_codes": codes, "smtp_source_errors": errors[:3],
              "send_s": round(sent_s, 3), "accepted_msg_s": messages / sent_s,
              "delivered_in_mailboxes": count - before, **cpu.record(),
              "server_cpu_ms_per_msg": 1000 * cpu.server_cpu_s / messages}
    if reached is None:
        record["delivered_msg_s"] = None
        record["error"] = f"only {count - before} of {messages} visible after {ctx.drain_timeout:.0f}s"
        log(f"{system.label}: {label}: {record['error']}")
    else:
        record["deliver_s"] = round(reached - t0, 3)
        record["delivered_msg_s"] = messages / (reached - t0)
    if any(codes):
        raise BenchError(f"{system.label}: {label}: smtp-source exited {codes}: {errors[:1]}")
    log(f"{system.label}: {label}: {record['accepted_msg_s']:.0f} msg/s accepted, "
        f"{record['delivered_msg_s'] or 0:.0f} msg/s delivered, {record['server_cpu_ms_per_msg']:.1f} CPU-ms/msg, "
        f"other work {record['other_cpu_share']:.0%} of a CPU")
    return record


class Inbound:
    group = GROUP
    rounds = "all"

    def __init__(self, size, name):
        self.size = size
        self.name = name
        kib = size // 1024
        self.metrics = [
            (f"{name}.accepted_msg_s", f"inbound {kib} KiB: accepted", "msg/s", 0),
            (f"{name}.delivered_msg_s", f"inbound {kib} KiB: delivered (visible in mailbox)", "msg/s", 0),
            (f"{name}.server_cpu_ms_per_msg", f"inbound {kib} KiB: server CPU per message", "ms", 2),
        ]

    def run(self, ctx, system):
        messages = ctx.messages[self.size]
        record = measure(ctx, system, self.size, messages, self.name)
        if record["other_cpu_share"] > ctx.disturbed_share and not ctx.smoke:
            log(f"{system.label}: {self.name} disturbed by other work ({record['other_cpu_share']:.0%} of a CPU): "
                f"once more")
            again = measure(ctx, system, self.size, messages, self.name)
            again["repeat_of_disturbed"] = record
            record = again
        return record


SCENARIOS = [Inbound(4096, "inbound_4k"), Inbound(102400, "inbound_100k")]
