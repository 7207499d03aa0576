"""The figures a run produces, per server and scenario, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Point:
    """Latency at one offered load: open loop, or closed loop at saturation."""

    fraction: float  # of saturation; 1.0 for the closed-loop run
    offered: float  # commands/s asked for
    deliveries_per_s: float
    p50: float
    p99: float
    gen_cpu_pct: float = 0.0  # the busiest generator, % of one core
    other_cpu_pct: float = 0.0  # the rest of the machine: neither server nor generator
    gen_stall_ms: float = 0.0  # the longest a generator's event loop was held up


@dataclass
class Fanout:
    """One room scenario on one server: saturation, then open-loop points."""

    scenario: str
    rooms: int
    size: int
    deliveries_per_s: float = 0.0
    commands_per_s: float = 0.0
    cpu_ms_per_1k: float = 0.0
    cpu_ms_per_command: float = 0.0
    gen_cpu_pct: float = 0.0
    other_cpu_pct: float = 0.0  # the most the rest of the machine used in any window
    points: list[Point] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    failed: int = 0
    connect_failed: int = 0
    # Sockets that joined the rooms per second before the load (connect, auth, join,
    # `state`), 100 at a time: a room's reconnection storm after a restart.
    joins_per_s: float = 0.0
    errors: list[str] = field(default_factory=list)
    # With `--repeat`: each pass's throughput and CPU per command, in pass order (0 for
    # a pass whose run failed); the figures above are the median pass's.
    runs: list[float] = field(default_factory=list)
    cpu_runs: list[float] = field(default_factory=list)

    def at(self, fraction: float) -> Point | None:
        return next((p for p in self.points if abs(p.fraction - fraction) < 1e-6), None)


@dataclass
class Idle:
    connections: int
    rss_kb_per_connection: float
    cpu_pct: float  # of one core, while nobody sends anything
    connect_failed: int = 0


@dataclass
class Rest:
    pairs: int
    pairs_per_s: float
    p50: float
    p99: float
    cpu_ms_per_pair: float
    failed: int
    errors: list[str] = field(default_factory=list)


@dataclass
class Cards:
    """REST: a member creates cards, then renames each, then comments on each."""

    cards: int
    cards_per_s: float
    cpu_ms_per_card: float
    changes_per_s: float
    cpu_ms_per_change: float
    comments_per_s: float
    cpu_ms_per_comment: float
    failed: int
    errors: list[str] = field(default_factory=list)


@dataclass
class Server:
    key: str
    label: str
    note: str = ""
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    poker: Fanout | None = None
    rounds: Fanout | None = None
    board: Fanout | None = None
    idle: list[Idle] = field(default_factory=list)
    storm_per_s: float | None = None
    rest: Rest | None = None
    cards: Cards | None = None

    def fanouts(self) -> list[Fanout]:
        return [f for f in (self.poker, self.rounds, self.board) if f is not None]

    def integrity(self) -> tuple[int, int, int]:
        """Lost, duplicated and out-of-order events over every run on this server."""
        runs = self.fanouts()
        return (
            sum(f.lost for f in runs),
            sum(f.duplicated for f in runs),
            sum(f.out_of_order for f in runs),
        )


def servers_from(results: dict[str, Any]) -> list[Server]:
    """The servers of a results.json, as the bench wrote them."""
    servers = []
    for raw in results["servers"]:
        fields = dict(raw)
        for name in ("poker", "rounds", "board"):
            if fields.get(name) is not None:
                fan = dict(fields[name])
                fan["points"] = [Point(**p) for p in fan["points"]]
                fields[name] = Fanout(**fan)
        fields["idle"] = [Idle(**i) for i in fields["idle"]]
        fields["rest"] = Rest(**fields["rest"]) if fields["rest"] is not None else None
        servers.append(Server(**fields))
    return servers
