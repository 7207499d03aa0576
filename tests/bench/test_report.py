"""The report's targets: a ratio measured while a load generator set the pace says so."""

from __future__ import annotations

from bench.figures import Fanout, Point, Server
from bench.report import render, targets
from bench.scenarios import Config
from tests.bench.support import about

BOARD = "throughput vs Node, board rooms of 50: >= 1.0x"
POKER = "throughput vs Node, poker rooms of 10: >= 0.75x"


def _fan(scenario: str, deliveries: float, generator: float) -> Fanout:
    return Fanout(
        scenario,
        10,
        50,
        deliveries_per_s=deliveries,
        commands_per_s=deliveries / 50,
        cpu_ms_per_command=0.5,
        gen_cpu_pct=generator,
        points=[Point(0.5, deliveries / 2, deliveries / 2, 2.0, 7.0)],
    )


def _servers(board_generators: tuple[float, float]) -> list[Server]:
    ours, theirs = board_generators
    return [
        Server(
            "sqlite", "sqlite", poker=_fan("poker", 40_000, 70.0), board=_fan("board", 81_000, ours)
        ),
        Server(
            "node", "node", poker=_fan("poker", 80_000, 80.0), board=_fan("board", 90_000, theirs)
        ),
    ]


def test_a_ratio_names_the_generators_when_one_set_the_pace() -> None:
    servers = _servers((98.0, 100.0))
    rows = {row[0]: row[1:] for row in targets(servers)}
    assert rows[BOARD] == ["0.90x (generator at 98 % / 100 %)", "NOT met"]
    # Poker's generators had room to spare: its ratio is the servers' alone.
    assert rows[POKER] == ["0.50x", "NOT met"]
    text = render(servers, Config(), about())
    assert "generator at A % / B %" in text


def test_one_generator_at_its_limit_is_enough_to_say_so() -> None:
    rows = {row[0]: row[1] for row in targets(_servers((60.0, 96.0)))}
    assert rows[BOARD] == "0.90x (generator at 60 % / 96 %)"


def test_a_ratio_with_generators_to_spare_is_left_bare() -> None:
    servers = _servers((90.0, 94.0))
    rows = {row[0]: row[1] for row in targets(servers)}
    assert rows[BOARD] == "0.90x"
    assert "generator at A % / B %" not in render(servers, Config(), about())
