"""The printed report: figures per scenario and server, then the hot path's targets
beside what this run measured, each marked met or not. It never fails on a figure."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from bench.figures import Fanout, Point, Server
from bench.repeats import ratios, spread
from bench.scenarios import Config

# At this much of its core or more at saturation, a load generator set the pace.
GENERATOR_BOUND = 95.0

SHORT = {
    "sqlite": "SQLite",
    "postgres": "PostgreSQL",
    "redis2": "2 workers + Redis",
    "node": "Node reference",
    "floor": "ws floor",
    "pyfloor": "Python floor",
}


def table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, aligned for the terminal."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _label(s: Server) -> str:
    return f"{s.label} ({s.note})" if s.note else s.label


def _ms(point: Point | None) -> str:
    return f"{point.p50:.1f} / {point.p99:.1f}" if point else "-"


def _with_spread(value: str, values: list[float], fmt: str) -> str:
    """A figure, and with several passes the lowest and highest of them."""
    low_high = spread(values, fmt)
    return f"{value} ({low_high})" if low_high else value


def _stalls(f: Fanout) -> str:
    return " / ".join(
        f"{p.gen_stall_ms:.0f}" if (p := f.at(fraction)) else "-" for fraction in (0.5, 0.8, 1.0)
    )


def _fanout_rows(servers: list[Server], pick: Callable[[Server], Fanout | None]) -> list[list[str]]:
    rows = []
    for s in servers:
        f = pick(s)
        if f is None:
            continue
        rows.append(
            [
                _label(s),
                _with_spread(f"{f.deliveries_per_s:,.0f}", f.runs, "{:,.0f}"),
                f"{f.commands_per_s:,.0f}",
                _ms(f.at(0.5)),
                _ms(f.at(0.8)),
                _ms(f.at(1.0)),
                f"{f.cpu_ms_per_1k:.0f}",
                _with_spread(f"{f.cpu_ms_per_command:.2f}", f.cpu_runs, "{:.2f}"),
                f"{f.gen_cpu_pct:.0f} %",
                _stalls(f),
                f"{f.other_cpu_pct:.0f} %",
                f"{f.joins_per_s:,.0f}",
                f"{f.lost} / {f.duplicated} / {f.out_of_order}",
                str(f.failed + f.connect_failed),
            ]
        )
    return rows


FANOUT_HEAD = [
    "server",
    "deliveries/s at saturation",
    "commands/s",
    "p50 / p99 ms at 50 %",
    "p50 / p99 ms at 80 %",
    "p50 / p99 ms saturated",
    "server CPU ms / 1k deliveries",
    "server CPU ms / command",
    "generator CPU",
    "generator stall ms at 50 % / 80 % / sat.",
    "other load",
    "sockets joined/s",
    "lost / dup / out-of-order",
    "failed",
]


def _connections(servers: list[Server]) -> str:
    rows = []
    for s in servers:
        for i, level in enumerate(s.idle):
            storm = f"{s.storm_per_s:,.0f}" if i == 0 and s.storm_per_s else ""
            rows.append(
                [
                    _label(s) if i == 0 else "",
                    f"{level.connections:,}",
                    f"{level.rss_kb_per_connection:.1f}",
                    f"{level.cpu_pct:.1f} %",
                    storm,
                    str(level.connect_failed),
                ]
            )
    head = ["server", "idle connections", "RSS KB / connection", "CPU while idle"]
    return table([*head, "storm connections/s", "failed"], rows)


def _rest(servers: list[Server]) -> str:
    rows = [
        [
            _label(s),
            f"{s.rest.pairs_per_s:,.0f}",
            f"{s.rest.p50:.1f} / {s.rest.p99:.1f}",
            f"{s.rest.cpu_ms_per_pair:.2f}",
            str(s.rest.failed),
        ]
        for s in servers
        if s.rest is not None
    ]
    head = ["server", "join + vote pairs/s", "p50 / p99 ms", "server CPU ms / pair", "failed"]
    return table(head, rows)


def _cards(servers: list[Server]) -> str:
    rows = [
        [
            _label(s),
            f"{s.cards.cards_per_s:,.0f}",
            f"{s.cards.cpu_ms_per_card:.2f}",
            f"{s.cards.changes_per_s:,.0f}",
            f"{s.cards.cpu_ms_per_change:.2f}",
            f"{s.cards.comments_per_s:,.0f}",
            f"{s.cards.cpu_ms_per_comment:.2f}",
            str(s.cards.failed),
        ]
        for s in servers
        if s.cards is not None
    ]
    head = [
        "server",
        "cards created/s",
        "server CPU ms / card",
        "changes/s",
        "server CPU ms / change",
        "comments/s",
        "server CPU ms / comment",
        "failed",
    ]
    return table(head, rows)


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "NOT met")


def targets(servers: list[Server]) -> list[list[str]]:
    by = {s.key: s for s in servers if s.skipped is None}
    rows: list[list[str]] = []

    def add(
        target: str,
        value: float | None,
        fmt: str,
        ok: Callable[[float], bool],
        passes: list[float] | None = None,
    ) -> None:
        shown = "-" if value is None else fmt.format(value)
        if value is not None and passes and len(passes) > 1:
            low, high = fmt.format(min(passes)), fmt.format(max(passes))
            shown += f" (median of {len(passes)} passes, {low}-{high})"
        rows.append([target, shown, _verdict(None if value is None else ok(value))])

    def fan(key: str, scenario: str) -> Fanout | None:
        s = by.get(key)
        return getattr(s, scenario) if s is not None else None

    def versus(ours: str, theirs: str, scenario: str) -> tuple[float | None, list[float]]:
        """Deliveries/s of one server against another's, and with several passes the
        passes' ratios, whose median it is then."""
        a, b = fan(ours, scenario), fan(theirs, scenario)
        if a is None or b is None or not b.deliveries_per_s:
            return None, []
        paired = ratios(a, b)
        if len(paired) > 1:
            return statistics.median(paired), paired
        return a.deliveries_per_s / b.deliveries_per_s, []

    def add_ratio(target: str, ours: str, theirs: str, scenario: str, least: float) -> None:
        value, passes = versus(ours, theirs, scenario)
        add(target, value, "{:.2f}x", lambda v: v >= least, passes)
        a, b = fan(ours, scenario), fan(theirs, scenario)
        if value is not None and a and b and max(a.gen_cpu_pct, b.gen_cpu_pct) >= GENERATOR_BOUND:
            rows[-1][1] += f" (generator at {a.gen_cpu_pct:.0f} % / {b.gen_cpu_pct:.0f} %)"

    f = fan("sqlite", "poker")
    add(
        "server CPU per vote, SQLite: <= 0.7 ms",
        f.cpu_ms_per_command if f else None,
        "{:.2f} ms",
        lambda v: v <= 0.7,
    )
    f = fan("postgres", "poker")
    add(
        "server CPU per vote, PostgreSQL (server + database): <= 1.0 ms",
        f.cpu_ms_per_command if f else None,
        "{:.2f} ms",
        lambda v: v <= 1.0,
    )
    f = fan("sqlite", "board")
    add(
        "server CPU per card move, SQLite: <= 1.0 ms",
        f.cpu_ms_per_command if f else None,
        "{:.2f} ms",
        lambda v: v <= 1.0,
    )
    add_ratio("throughput vs Node, poker rooms of 10: >= 0.75x", "sqlite", "node", "poker", 0.75)
    add_ratio("throughput vs Node, board rooms of 50: >= 1.0x", "sqlite", "node", "board", 1.0)
    for key in ("sqlite", "postgres", "redis2"):
        for scenario in ("poker", "board"):
            f = fan(key, scenario)
            point = f.at(0.5) if f else None
            add(
                f"p99 at 50 % of saturation, {SHORT[key]}, {scenario}: <= 25 ms",
                point.p99 if point else None,
                "{:.1f} ms",
                lambda v: v <= 25,
            )
    idle = by["sqlite"].idle if "sqlite" in by else []
    top = idle[-1] if idle else None
    add(
        "RSS per idle connection, SQLite worker: <= 20 KB",
        top.rss_kb_per_connection if top else None,
        "{:.1f} KB",
        lambda v: v <= 20,
    )
    count = f"{top.connections:,}" if top else "10,000"
    add(
        f"{count} idle connections on one worker (target at 10,000): < 5 % of a core",
        top.cpu_pct if top else None,
        "{:.1f} %",
        lambda v: v < 5,
    )
    sqlite = by.get("sqlite")
    add(
        "connection storm (connect + auth + join + state): >= 1,000/s",
        sqlite.storm_per_s if sqlite else None,
        "{:,.0f}/s",
        lambda v: v >= 1000,
    )
    for scenario in ("poker", "board"):
        add_ratio(
            f"two workers + Redis vs one worker (PostgreSQL), {scenario}: >= 1.6x",
            "redis2",
            "postgres",
            scenario,
            1.6,
        )
    ours = [s for s in by.values() if s.key in ("sqlite", "postgres", "redis2") and s.fanouts()]
    if ours:
        lost, dup, ooo = (sum(x) for x in zip(*(s.integrity() for s in ours), strict=True))
        rows.append(
            [
                "lost / duplicated / out-of-order events, every Roundtable run: 0",
                f"{lost} / {dup} / {ooo}",
                _verdict(lost == dup == ooo == 0),
            ]
        )
    else:
        rows.append(
            [
                "lost / duplicated / out-of-order events, every Roundtable run: 0",
                "-",
                _verdict(None),
            ]
        )
    return rows


def render(servers: list[Server], cfg: Config, about: dict[str, str]) -> str:
    out = [
        f"\nRoundtable benchmark, {about['date']}: {about['cpus']} cores ({about['cpu_model']}), "
        f"{about['ram']} RAM, commit {about['commit']}; loopback, msgpack over websocket; "
        f"load average {about['load_before']} before, {about.get('load_after', '?')} after.",
    ]
    if cfg.repeat > 1:
        out.append(
            f"{cfg.repeat} passes, each server once a pass, in an order that turns: each "
            "scenario's figures are its median pass's, the lowest and highest pass's in "
            "brackets; the ratios against another server are the median of the passes' "
            "ratios; lost, duplicated and out-of-order events and failures count every pass."
        )
    for s in servers:
        if s.skipped:
            out.append(f"{s.label}: {s.skipped}")
        for note in s.notes:
            out.append(f"{s.label}: {note}")
    if any(s.poker for s in servers):
        out += [
            f"\nPoker rooms of {cfg.poker_size}: {cfg.poker_rooms} rooms, one guest per room "
            "voting (latency: emit to the room's last receiver)\n",
            table(FANOUT_HEAD, _fanout_rows(servers, lambda s: s.poker)),
        ]
    if any(s.rounds for s in servers):
        out += [
            f"\nPoker rounds, rooms of {cfg.poker_size}: {cfg.poker_rooms} rooms, the moderator "
            "of each votes, reveals and starts the round again in turn\n",
            table(FANOUT_HEAD, _fanout_rows(servers, lambda s: s.rounds)),
        ]
    if any(s.board for s in servers):
        out += [
            f"\nBoard rooms of {cfg.board_size}: {cfg.board_rooms} rooms, one client per room "
            "moving cards\n",
            table(FANOUT_HEAD, _fanout_rows(servers, lambda s: s.board)),
        ]
    if any(s.fanouts() for s in servers):
        out.append(
            "\ngenerator CPU: the busiest load generator at saturation, % of one core (near 100 %,"
            "\nthe generator set the pace). other load: the most CPU the rest of the machine used"
            "\nin any measured window, % of one core; beyond a few %, other work disturbed the run."
            "\nsockets joined/s: how fast the rooms' sockets connected, authenticated, joined"
            "\nand read the room's `state` before the load, 100 at a time."
        )
    if any(s.idle for s in servers):
        out += [
            "\nIdle connections (poker rooms of 20) and the storm that connected them\n",
            _connections(servers),
        ]
    if any(s.rest for s in servers):
        out += ["\nREST: a guest joins a session and votes, 20 guests at a time\n", _rest(servers)]
    if any(s.cards for s in servers):
        out += [
            "\nREST: a member creates cards (each with a checklist item), then renames each,"
            " then comments on each, 10 requests at a time\n",
            _cards(servers),
        ]
    rows = targets(servers)
    out += ["\nTargets (printed, not asserted)\n", table(["target", "measured", ""], rows)]
    if any("(generator at" in row[1] for row in rows):
        out.append(
            "\ngenerator at A % / B %: the load generator's CPU at saturation in the two runs the"
            "\nratio compares, Roundtable's first. At "
            f"{GENERATOR_BOUND:.0f} % or more the generator set the pace:"
            "\nthat run's figure is the generator's ceiling, not the server's."
        )
    return "\n".join(out)
