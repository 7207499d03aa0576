"""`--repeat N`: several runs of each server folded into one figure per scenario."""

from __future__ import annotations

import re

from bench.figures import Cards, Fanout, Idle, Point, Rest, Server
from bench.repeats import fold, order, ratios, spread
from bench.report import render, targets
from bench.scenarios import Config
from tests.bench.support import about


def _fan(deliveries: float, cpu: float, *, lost: int = 0, failed: int = 0) -> Fanout:
    return Fanout(
        "poker",
        50,
        10,
        deliveries_per_s=deliveries,
        commands_per_s=deliveries / 10,
        cpu_ms_per_command=cpu,
        points=[Point(0.5, deliveries / 20, deliveries / 2, 2.0, 7.0)],
        lost=lost,
        failed=failed,
    )


def _server(key: str, deliveries: float, cpu: float, **counts: int) -> Server:
    return Server(
        key,
        key,
        poker=_fan(deliveries, cpu, **counts),
        board=_fan(deliveries * 2, cpu * 3),
        idle=[Idle(500, 20.0, 1.0)],
        storm_per_s=deliveries / 30,
        rest=Rest(100, 50.0, 4.0, 9.0, cpu * 4, 0),
        cards=Cards(100, 80.0, cpu * 5, 90.0, 1.0, 95.0, 1.1, 0),
    )


def test_the_order_turns_pass_by_pass() -> None:
    keys = ["sqlite", "postgres", "node"]
    assert order(keys, 0) == keys
    assert order(keys, 1) == ["postgres", "node", "sqlite"]
    assert order(keys, 2) == ["node", "sqlite", "postgres"]
    assert order(keys, 3) == keys
    # Every server runs first once in as many passes as there are servers.
    assert {order(keys, r)[0] for r in range(3)} == set(keys)
    assert order([], 2) == []


def test_one_run_is_left_as_it_is() -> None:
    run = _server("sqlite", 40_000, 0.25)
    assert fold([run]) is run


def test_the_median_run_stands_for_each_scenario_with_every_pass_beside_it() -> None:
    runs = [
        _server("sqlite", 30_000, 0.33, lost=1),
        _server("sqlite", 42_000, 0.24),
        _server("sqlite", 38_000, 0.26, failed=2),
    ]
    folded = fold(runs)
    assert folded.poker is not None and folded.board is not None
    assert folded.poker.deliveries_per_s == 38_000
    assert folded.poker.cpu_ms_per_command == 0.26
    assert [p.deliveries_per_s for p in folded.poker.points] == [19_000]
    assert folded.poker.runs == [30_000, 42_000, 38_000]
    assert folded.poker.cpu_runs == [0.33, 0.24, 0.26]
    assert folded.board.deliveries_per_s == 76_000
    # Losses and failures count over every pass, not only the median one.
    assert (folded.poker.lost, folded.poker.failed) == (1, 2)
    # The runs themselves are untouched.
    assert runs[0].poker is not None and runs[0].poker.lost == 1
    assert runs[2].poker is not None and runs[2].poker.runs == []
    # The storm, REST and card figures: the median of theirs.
    assert folded.storm_per_s == 38_000 / 30
    assert folded.rest is not None and folded.rest.cpu_ms_per_pair == 0.26 * 4
    assert folded.cards is not None and folded.cards.cpu_ms_per_card == 0.26 * 5


def test_with_an_even_number_of_passes_the_lower_middle_run_stands() -> None:
    folded = fold([_server("sqlite", 40_000, 0.2), _server("sqlite", 30_000, 0.3)])
    assert folded.poker is not None
    assert folded.poker.deliveries_per_s == 30_000


def test_a_failed_pass_is_named_and_keeps_its_place() -> None:
    failed = Server("sqlite", "sqlite", skipped="failed: the server did not start")
    folded = fold([_server("sqlite", 40_000, 0.2), failed, _server("sqlite", 36_000, 0.3)])
    assert folded.skipped is None
    assert folded.notes == ["pass 2 of 3: failed: the server did not start"]
    assert folded.poker is not None
    assert folded.poker.runs == [40_000, 0.0, 36_000]
    assert spread(folded.poker.runs, "{:,.0f}") == "36,000-40,000"


def test_every_pass_failed_leaves_the_server_skipped() -> None:
    runs = [Server("node", "node", skipped="npm not found") for _ in range(2)]
    assert fold(runs).skipped == "npm not found"


def test_ratios_pair_the_passes_that_ran_together() -> None:
    ours = fold([_server("sqlite", 40_000, 0.2), _server("sqlite", 30_000, 0.3)]).poker
    theirs = fold([_server("node", 80_000, 0.1), _server("node", 50_000, 0.1)]).poker
    assert ratios(ours, theirs) == [0.5, 0.6]
    assert ratios(ours, None) == []


def test_the_report_gives_the_median_ratio_and_the_passes_range() -> None:
    sqlite = fold([_server("sqlite", s, 0.2) for s in (40_000, 30_000, 45_000)])
    node = fold([_server("node", n, 0.1) for n in (80_000, 50_000, 60_000)])
    rows = {row[0]: row[1] for row in targets([sqlite, node])}
    # Passes: 0.50x, 0.60x, 0.75x; the median pass's figures alone would give 0.67x.
    assert rows["throughput vs Node, poker rooms of 10: >= 0.75x"] == (
        "0.60x (median of 3 passes, 0.50x-0.75x)"
    )
    text = render([sqlite, node], Config(repeat=3), about())
    assert "3 passes, each server once a pass" in text
    assert "40,000 (30,000-45,000)" in text


def test_a_single_run_report_has_no_ranges() -> None:
    servers = [_server("sqlite", 40_000, 0.2), _server("node", 80_000, 0.1)]
    rows = {row[0]: row[1] for row in targets(servers)}
    assert rows["throughput vs Node, poker rooms of 10: >= 0.75x"] == "0.50x"
    text = render(servers, Config(), about())
    assert "each server once a pass" not in text
    assert re.search(r"\| 40,000 +\|", text)
