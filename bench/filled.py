"""Scenario filled: does inbound slow down as the mailboxes fill? The instance of the last round
(1,000 mailboxes, already holding what the scenarios before put there) is filled with 4 KiB
messages through smtp-source (same flags as inbound) until `fill_total` messages are stored (or
`fill_max_s` seconds of filling are used up: the time budget; the table says how many were stored); the
accepted rate of each fill chunk is kept (the curve), then inbound 4 KiB is measured again.
On Postino a JFR recording covers the start of the fill (the inbound path under full load).
"""

import load
from harness import log
from inbound import measure

GROUP = "mailboxes"


class Filled:
    name = "filled"
    group = GROUP
    rounds = "last"

    def __init__(self):
        self.metrics = [
            ("filled.stored_before", "filled: messages stored before the measurement", "", 0),
            ("filled.accepted_msg_s", "inbound 4 KiB with the mailboxes filled: accepted", "msg/s", 0),
            ("filled.delivered_msg_s", "inbound 4 KiB with the mailboxes filled: delivered", "msg/s", 0),
            ("filled.fill_first_chunk_msg_s", "fill: accepted msg/s, first chunk", "msg/s", 0),
            ("filled.fill_last_chunk_msg_s", "fill: accepted msg/s, last chunk", "msg/s", 0),
        ]

    def run(self, ctx, system):
        load.wait_queue_empty(system, timeout=ctx.drain_timeout)
        stored = system.delivered_total()
        chunk = ctx.fill_chunk
        todo = max(0, ctx.fill_total - stored)
        todo -= todo % ctx.mailboxes  # whole rounds over the mailboxes (smtp-source -N numbering)
        chunks = []
        profile = ctx.start_profile(system)
        try:
            fill_started = load.time.monotonic()
            while todo > 0:
                if load.time.monotonic() - fill_started > ctx.fill_max_s:
                    log(f"{system.label}: fill stopped at {stored} stored messages: {ctx.fill_max_s:.0f} s used up")
                    break
                n = min(chunk, todo)
                commands = load.smtp_source_commands(system.smtp_port, n, ctx.sessions, 4096, ctx.mailboxes)
                with load.OtherCpu(system) as cpu:
                    sent_s, codes, errors = load.run_smtp_source(commands, timeout=ctx.send_timeout * 4)
                chunks.append({"messages": n, "stored_before": stored, "accepted_msg_s": n / sent_s,
                               "exit_codes": codes, **cpu.record()})
                log(f"{system.label}: fill {stored} -> {stored + n}: {n / sent_s:.0f} msg/s accepted")
                stored += n
                todo -= n
        finally:
            ctx.stop_profile(system, profile)
        reached = load.wait_queue_empty(system, timeout=ctx.drain_timeout * 4)
        before_measure = system.delivered_total()
        ctx.counted_before = before_measure
        record = measure(ctx, system, 4096, ctx.messages[4096], "inbound_4k after fill")
        record["stored_before"] = before_measure
        record["fill_drained"] = reached
        record["fill_chunks"] = chunks
        record["fill_target"] = ctx.fill_total
        record["fill_first_chunk_msg_s"] = chunks[0]["accepted_msg_s"] if chunks else None
        record["fill_last_chunk_msg_s"] = chunks[-1]["accepted_msg_s"] if chunks else None
        return record


SCENARIOS = [Filled()]
