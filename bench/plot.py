"""The latency plot: p50 and p99 against offered load, per room scenario and server.

`python -m bench.plot RESULTS.json OUT.png` draws it again from a run's results.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.figures import Fanout, Server, servers_from

STYLE = {
    "sqlite": "tab:blue",
    "postgres": "tab:green",
    "redis2": "tab:purple",
    "node": "tab:orange",
    "floor": "tab:gray",
    "pyfloor": "tab:brown",
}


def plot(servers: list[Server], path: Path) -> bool:
    """Write the PNG; False when there is nothing to draw."""
    scenarios = [
        (name, title)
        for name, title in (
            ("poker", "poker rooms of 10, votes"),
            ("board", "board rooms of 50, moves"),
        )
        if any(getattr(s, name) for s in servers)
    ]
    if not scenarios:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(scenarios), figsize=(6.5 * len(scenarios), 4.8), squeeze=False)
    for ax, (name, title) in zip(axes[0], scenarios, strict=True):
        for s in servers:
            f: Fanout | None = getattr(s, name)
            if f is None or not f.points:
                continue
            # Open-loop points as lines; saturation (closed loop) as a vertical line.
            points = [p for p in f.points if p.fraction < 1.0]
            xs = [p.offered * f.size for p in points]
            color = STYLE.get(s.key)
            ax.plot(xs, [p.p99 for p in points], "o-", color=color, label=f"{s.label} p99")
            ax.plot(xs, [p.p50 for p in points], "s--", color=color, label=f"{s.label} p50")
            ax.axvline(f.deliveries_per_s, color=color, linewidth=0.8, linestyle=":")
        ax.set_title(title)
        ax.set_xlabel("offered load, deliveries/s (dotted: saturation; red: 25 ms)")
        ax.set_ylabel("emit to last receiver, ms")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.axhline(25, color="red", linewidth=0.8, linestyle=":")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plot", description=__doc__)
    parser.add_argument("results", type=Path, help="a results.json written by python -m bench")
    parser.add_argument("out", type=Path, help="the PNG to write")
    args = parser.parse_args(argv)
    if not plot(servers_from(json.loads(args.results.read_text())), args.out):
        raise SystemExit("no room scenario in these results")


if __name__ == "__main__":
    main()
