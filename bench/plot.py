"""The latency plot: p50 and p99 against offered load, per room scenario and server."""

from __future__ import annotations

from pathlib import Path

from bench.figures import Fanout, Server

STYLE = {
    "sqlite": "tab:blue",
    "postgres": "tab:green",
    "redis2": "tab:purple",
    "node": "tab:orange",
    "floor": "tab:gray",
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
            xs = [p.offered * f.size for p in f.points]
            color = STYLE.get(s.key)
            ax.plot(xs, [p.p99 for p in f.points], "o-", color=color, label=f"{s.label} p99")
            ax.plot(xs, [p.p50 for p in f.points], "s--", color=color, label=f"{s.label} p50")
        ax.set_title(title)
        ax.set_xlabel("offered load, deliveries/s (last point: saturation, closed loop)")
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
