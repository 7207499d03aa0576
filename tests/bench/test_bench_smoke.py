"""`make bench` in miniature, so it cannot rot: one Roundtable worker on SQLite, the Node
reference and the Python floor, a few rooms for a second each, through the real bench
end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bench.support import require_node
from tests.support import ROOT

TINY = [
    "--servers=sqlite,node,pyfloor",
    "--scenarios=idle,poker,rounds,board,cards",
    "--poker-rooms=2",
    "--board-rooms=1",
    "--warmup=0.3",
    "--seconds=1",
    "--fractions=0.5",
    "--idle-levels=40",
    "--idle-seconds=0.5",
    # Enough that each phase's CPU spans several of the kernel's 10 ms clock ticks.
    "--rest-cards=40",
]


def test_help_describes_the_bench() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert "Node.js Socket.IO 4" in done.stdout
    assert "--quick" in done.stdout


def _bench(args: list[str], out: Path) -> subprocess.CompletedProcess[str]:
    """The bench with `args`, its results in `out`, the plot at `out`/latency.png."""
    require_node()
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args, f"--out={out}", f"--plot={out / 'latency.png'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done


def test_a_tiny_bench_measures_every_server_without_losing_an_event(tmp_path: Path) -> None:
    done = _bench(TINY, tmp_path)
    results = json.loads((tmp_path / "results.json").read_text())
    servers = {s["key"]: s for s in results["servers"]}
    assert set(servers) == {"sqlite", "node", "pyfloor"}
    for key, server in servers.items():
        assert server["skipped"] is None, (key, server["skipped"], done.stderr[-4000:])
        for scenario in ("poker", "rounds", "board"):
            run = server[scenario]
            assert run["deliveries_per_s"] > 0, (key, scenario)
            assert run["cpu_ms_per_command"] > 0, (key, scenario)
            assert [p["fraction"] for p in run["points"]] == [0.5, 1.0], (key, scenario)
            # The generator's own event loop is timed in every window: never exactly on time.
            assert all(p["gen_stall_ms"] > 0 for p in run["points"]), (key, scenario)
            assert (run["lost"], run["duplicated"], run["out_of_order"]) == (0, 0, 0)
            assert run["failed"] == run["connect_failed"] == 0, (key, scenario, run["errors"])
        assert server["idle"][0]["connections"] == 40
        assert server["storm_per_s"] > 0
    cards = servers["sqlite"]["cards"]
    assert (cards["cards"], cards["failed"]) == (40, 0), cards["errors"]
    assert cards["cpu_ms_per_card"] > 0 and cards["cpu_ms_per_comment"] > 0
    assert cards["cpu_ms_per_change"] > 0
    assert servers["node"]["cards"] is None and servers["pyfloor"]["cards"] is None
    assert "Targets (printed, not asserted)" in done.stdout
    assert "generator stall ms at 50 % / 80 % / sat." in done.stdout
    assert (tmp_path / "latency.png").stat().st_size > 10_000


def test_a_repeated_bench_runs_each_server_in_turn_and_keeps_every_pass(tmp_path: Path) -> None:
    args = [
        "--servers=sqlite,node",
        "--scenarios=poker",
        "--poker-rooms=2",
        "--warmup=0.2",
        "--seconds=0.6",
        "--fractions=0.5",
        "--repeat=2",
    ]
    done = _bench(args, tmp_path)
    # The second pass starts with the server the first ended with.
    starts = [line.split("] ", 1)[1] for line in done.stderr.splitlines() if "starting" in line]
    assert [s.split(":")[0] for s in starts] == [
        "Roundtable, 1 worker, SQLite",
        "Node.js Socket.IO 4 reference",
        "Node.js Socket.IO 4 reference",
        "Roundtable, 1 worker, SQLite",
    ], starts
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["config"]["repeat"] == 2
    for server in results["servers"]:
        poker = server["poker"]
        passes = [r["poker"]["deliveries_per_s"] for r in results["every_pass"][server["key"]]]
        assert len(passes) == 2 and all(r > 0 for r in passes)
        assert poker["runs"] == passes
        assert poker["deliveries_per_s"] == min(passes)  # the lower middle of two
        assert (poker["lost"], poker["duplicated"], poker["out_of_order"]) == (0, 0, 0)
    assert "2 passes, each server once a pass" in done.stdout
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert any(name.startswith("pass1-") for name in logs), logs
    assert any(name.startswith("pass2-") for name in logs), logs
