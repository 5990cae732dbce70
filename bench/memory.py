"""Scenario memory: 10,000 users with one message each (smtp-source -N numbers the recipients
1..10,000: one 4 KiB message per mailbox, 20 sessions), then, once all is delivered, the
memory the system holds: for the JVMs the heap live set after a full GC (jcmd GC.run), RSS before
and after it; for Postfix the RSS of its processes summed (and their PSS, which counts shared
pages once), Dovecot's apart.
"""

import load
from harness import BenchError, log

GROUP = "users-10k"


class Memory:
    name = "memory"
    group = GROUP
    rounds = "all"
    metrics = [
        ("memory.heap_live_mib", "memory, users × 1 message each: heap live after full GC", "MiB", 1),
        ("memory.rss_mib", "memory: RSS (Postfix: sum over its processes)", "MiB", 0),
        ("memory.pss_mib", "memory: PSS (Postfix: sum over its processes, shared pages once)", "MiB", 0),
    ]

    def run(self, ctx, system):
        users = ctx.memory_users
        before = ctx.counted_before
        if before is None:
            load.wait_queue_empty(system, timeout=ctx.drain_timeout)
            before = system.delivered_total()
        commands = load.smtp_source_commands(system.smtp_port, users, ctx.sessions, 4096, users)
        with load.OtherCpu(system) as cpu:
            sent_s, codes, errors = load.run_smtp_source(commands, timeout=ctx.send_timeout * 4)
            reached, count = load.wait_delivered(system, before + users, timeout=ctx.drain_timeout * 4)
        ctx.counted_before = count
        count -= before
        if any(codes):
            raise BenchError(f"{system.label}: memory: smtp-source exited {codes}: {errors[:1]}")
        if reached is None:
            raise BenchError(f"{system.label}: memory: only {count} of {users} messages delivered")
        record = {"users": users, "messages": count, "accepted_msg_s": users / sent_s, **cpu.record()}
        record.update(system.memory(settle=ctx.settle))
        log(f"{system.label}: memory with {users} users x 1 message: RSS {record['rss_mib']:.0f} MiB"
            + (f", heap live {record['heap_live_mib']:.1f} MiB" if "heap_live_mib" in record else ""))
        return record


SCENARIOS = [Memory()]
