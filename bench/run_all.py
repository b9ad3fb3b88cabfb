"""Run every benchmark and print one table:  python -m bench.run_all  (or make bench)."""

from __future__ import annotations

import json
import sys

from . import bench_ack, bench_growth, bench_memory, bench_webhooks
from .harness import save


def main() -> int:
    results = {}
    runs = {"ack": bench_ack.run, "webhooks": lambda: bench_webhooks.run(backends=bench_webhooks.BACKENDS),
            "growth": bench_growth.run, "memory": bench_memory.run}  # webhooks: SQLite and PostgreSQL
    for name, run in runs.items():
        print(f"running {name}…", flush=True)
        results[name] = run()
        print(json.dumps(results[name], indent=2), flush=True)
    save("summary", results)
    print(table(results))
    met = all(_met(result) for result in results.values())
    return 0 if met else 1


def _met(result: dict) -> bool:
    if "targets_met" in result:
        return bool(result["targets_met"])
    return all(row.get("targets_met", True) for row in result.values() if isinstance(row, dict))


def table(results: dict) -> str:
    ack, hooks, growth, memory = (results[k] for k in ("ack", "webhooks", "growth", "memory"))
    rows = [
        ("ack: max / p99 (ms), 20 × /meet, video 2.5 s", f"{ack['ack_ms']['max']:.0f} / {ack['ack_ms']['p99']:.0f}",
         "< 3000 / < 300", ack["targets_met"]),
    ]
    for name in ("voice_answer", "voice_dtmf", "pg_voice_answer", "pg_voice_dtmf"):
        if name not in hooks:
            continue
        row = hooks[name]
        rows.append((f"{name}: saturation vs baseline (median of {len(hooks['rounds'])} rounds)",
                     f"{row['saturation_rps']:.0f} rps = {row['ratio_to_baseline']:.0%} "
                     f"(CPU steal {row['cpu_steal_percent']:.0f} %)",
                     ">= 50 %", row["ratio_to_baseline"] >= 0.5))
        rows.append((f"{name}: p99 at 200 rps", f"{row['rate_200_p99_ms']:.1f} ms", "< 25 ms",
                     row["rate_200_p99_ms"] < 25))
    rows += [
        ("growth: admission 100k ended + 1k live vs empty", f"{growth['admit_ratio']:.2f}×", "<= 1.2×",
         growth["admit_ratio"] <= 1.2),
        ("growth: PIN allocation, same", f"{growth['allocate_ratio']:.2f}×", "<= 1.2×",
         growth["allocate_ratio"] <= 1.2),
        ("memory: RSS after 20k / growth 10k→20k",
         f"{memory['rss_mb_after_20k']:.0f} MB / {memory['growth_pct']:.1f} %",
         "< 150 MB / < 5 %", memory["targets_met"]),
    ]
    lines = ["| measure | result | target | met |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {'yes' if d else 'NO'} |" for a, b, c, d in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
