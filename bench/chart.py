"""comparison.json -> comparison.png (Debian's python3-matplotlib, run with /usr/bin/python3); also
relay.json -> relay.png and the like (only the panels whose metrics the run has).

    /usr/bin/python3 bench/chart.py results/<date>/comparison.json results/<date>/comparison.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"postino": "#d62728", "james-memory": "#1f77b4", "postfix": "#2ca02c"}
LABELS = {"postino": "Postino", "james-memory": "James 3.8.1 memory", "postfix": "Postfix (+Dovecot)"}
PANELS = [
    ("Inbound throughput (msg/s, higher is better)",
     [("inbound_4k.accepted_msg_s", "4 KiB\naccepted"), ("inbound_4k.delivered_msg_s", "4 KiB\ndelivered"),
      ("inbound_100k.accepted_msg_s", "100 KiB\naccepted"), ("inbound_100k.delivered_msg_s", "100 KiB\ndelivered"),
      ("filled.accepted_msg_s", "4 KiB filled\naccepted"), ("filled.delivered_msg_s", "4 KiB filled\ndelivered")]),
    ("Server CPU per message (ms, lower is better)",
     [("inbound_4k.server_cpu_ms_per_msg", "inbound\n4 KiB"), ("inbound_100k.server_cpu_ms_per_msg", "inbound\n100 KiB"),
      ("relay.server_cpu_ms_per_msg", "relay\n4 KiB")]),
    ("SMTP 250 → visible over IMAP, ms, log scale (NOOP poll 10 ms / IDLE push)",
     [("latency.idle_p50_ms", "poll\nidle p50"), ("latency.idle_p99_ms", "poll\nidle p99"),
      ("latency.load_p50_ms", "poll\n50% load p50"), ("latency.load_p99_ms", "poll\n50% load p99"),
      ("latency.idle_push_p50_ms", "push\nidle p50"), ("latency.load_push_p99_ms", "push\n50% load p99")]),
    ("Memory, users × 1 message each (MiB, lower is better)",
     [("memory.heap_live_mib", "heap live\nafter GC"), ("memory.rss_mib", "RSS\n(Postfix: sum)"),
      ("memory.pss_mib", "PSS")]),
    ("Relay 4 KiB to a sink MX (msg/s, higher is better)",
     [("relay.accepted_msg_s", "accepted"), ("relay.relayed_msg_s", "relayed\n(received by the sink)")]),
]


def main(source, target):
    data = json.load(open(source, encoding="utf-8"))
    names = data["systems_run"]
    panels = [(title, [(k, l) for k, l in metrics if any(data["summary"][n].get(k) for n in names)])
              for title, metrics in PANELS]
    panels = [(title, metrics) for title, metrics in panels if metrics]  # only what this run measured
    columns = 2 if len(panels) > 1 else 1
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(7 * columns, 4.5 * rows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (title, metrics) in zip(axes.flat, panels):
        width = 0.8 / max(1, len(names))
        for i, name in enumerate(names):
            xs, medians, low, high = [], [], [], []
            for j, (key, _) in enumerate(metrics):
                stats = data["summary"][name].get(key)
                if not stats:
                    continue
                xs.append(j + (i - (len(names) - 1) / 2) * width)
                medians.append(stats["median"])
                low.append(stats["median"] - stats["min"])
                high.append(stats["max"] - stats["median"])
            bars = ax.bar(xs, medians, width, yerr=[low, high], capsize=3, color=COLORS[name], label=LABELS[name])
            for bar, value in zip(bars, medians):
                ax.annotate(f"{value:.0f}" if value >= 10 else f"{value:.1f}", (bar.get_x() + bar.get_width() / 2,
                            bar.get_height()), ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(metrics)))
        ax.set_xticklabels([label for _, label in metrics], fontsize=8)
        ax.set_title(title, fontsize=10)
        if "log scale" in title:
            ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    facts = data["machine"]
    scenarios = data.get("scenario_modules")
    fig.suptitle(f"Postino vs James 3.8.1 vs Postfix — {data['date']} — "
                 + (f"{', '.join(scenarios)} — " if scenarios and len(scenarios) < 3 else "")
                 + f"{facts['nproc']} CPUs, "
                 f"medians over {data['rounds']} alternating rounds (bars: min–max)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.96 if rows > 1 else 0.9))
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
