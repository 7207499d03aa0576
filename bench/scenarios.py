"""The scenarios run against each server: fan-out in poker rooms of 10 and board rooms
of 50 (saturation, then open-loop load at fractions of it), idle connections with the
storm that connects them, REST guest join + vote, and REST cards and comments."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from bench.figures import Cards, Fanout, Idle, Point, Rest, percentile
from bench.generator import Generators, Room, Run
from bench.procs import machine_busy_seconds
from bench.rooms import Setup
from bench.servers import Target

IDLE_ROOM = 20
STORM_CONCURRENCY = 100
CARDS_CONCURRENCY = 10


@dataclass(frozen=True)
class Config:
    poker_rooms: int = 50
    poker_size: int = 10
    board_rooms: int = 10
    board_size: int = 50
    board_cards: int = 20
    warmup: float = 2.0
    seconds: float = 8.0
    fractions: tuple[float, ...] = (0.25, 0.5, 0.8)
    idle_levels: tuple[int, ...] = (1000, 5000, 10000)
    # Longer than one ping interval (25 s on both servers), so every socket is pinged.
    idle_seconds: float = 30.0
    rest_guests: int = 1000
    rest_cards: int = 500
    # Each server this many times, in turn (see `bench.repeats`).
    repeat: int = 1


async def _until(when: float) -> None:
    await asyncio.sleep(max(0.0, when - time.time()))


@dataclass(frozen=True)
class Window:
    """A measured run, with the server's CPU seconds in its window and the share of a
    core the rest of the machine used meanwhile (other work disturbs the figures)."""

    run: Run
    cpu: float
    other_cpu_pct: float

    def point(self, fraction: float, offered: float) -> Point:
        run = self.run
        return Point(
            fraction,
            offered,
            run.deliveries / run.seconds,
            percentile(run.latencies, 50),
            percentile(run.latencies, 99),
            run.gen_cpu_pct,
            self.other_cpu_pct,
            run.gen_stall_ms,
        )


async def measured(
    target: Target, gens: Generators, cfg: Config, *, mode: str, rate: float = 0.0
) -> Window:
    """One window of load, measured."""
    start_at = time.time() + 0.3 + cfg.warmup
    task = asyncio.create_task(
        gens.run(mode=mode, rate=rate, start_at=start_at, measure=cfg.seconds)
    )
    await _until(start_at)
    cpu0, busy0 = target.meter.cpu(), machine_busy_seconds()
    await _until(start_at + cfg.seconds)
    cpu, busy = target.meter.cpu() - cpu0, machine_busy_seconds() - busy0
    run = await task
    other = max(0.0, busy - cpu - run.gen_cpu_seconds)
    return Window(run, cpu, 100 * other / cfg.seconds)


def _tally(fig: Fanout, window: Window) -> None:
    run = window.run
    fig.other_cpu_pct = max(fig.other_cpu_pct, window.other_cpu_pct)
    fig.lost += run.lost
    fig.duplicated += run.duplicated
    fig.out_of_order += run.out_of_order
    fig.failed += run.failed + run.timeouts + run.unmatched
    fig.gen_cpu_pct = max(fig.gen_cpu_pct, run.gen_cpu_pct)
    fig.errors += run.errors[: 3 - len(fig.errors)]


async def fanout(
    target: Target, gens: Generators, setup: Setup, cfg: Config, scenario: str
) -> Fanout:
    if scenario == "poker":
        fig = Fanout("poker", cfg.poker_rooms, cfg.poker_size)
        rooms: list[Room] = await setup.poker(cfg.poker_rooms, cfg.poker_size)
        namespace = "/poker"
    elif scenario == "rounds":
        fig = Fanout("rounds", cfg.poker_rooms, cfg.poker_size)
        rooms = await setup.rounds(cfg.poker_rooms, cfg.poker_size)
        namespace = "/poker"
    else:
        fig = Fanout("board", cfg.board_rooms, cfg.board_size)
        rooms = await setup.board(cfg.board_rooms, cfg.board_size, cfg.board_cards)
        namespace = "/board"
    joined, failed, seconds, errors = await gens.open(target.urls, namespace, rooms)
    fig.connect_failed = failed
    fig.joins_per_s = joined / seconds if seconds else 0.0
    fig.errors += errors[:3]
    try:
        window = await measured(target, gens, cfg, mode="closed")
        _tally(fig, window)
        run = window.run
        fig.deliveries_per_s = run.deliveries / run.seconds
        commands = run.deliveries / fig.size
        fig.commands_per_s = commands / run.seconds
        if run.deliveries:
            fig.cpu_ms_per_1k = 1000 * window.cpu / run.deliveries * 1000
            fig.cpu_ms_per_command = 1000 * window.cpu / commands
        fig.points.append(window.point(1.0, fig.commands_per_s))
        for fraction in cfg.fractions if fig.commands_per_s > 0 else ():
            rate = fraction * fig.commands_per_s
            window = await measured(target, gens, cfg, mode="open", rate=rate)
            _tally(fig, window)
            fig.points.append(window.point(fraction, rate))
    finally:
        await gens.close()
    fig.points.sort(key=lambda p: p.offered)
    return fig


async def idle(
    target: Target, gens: Generators, setup: Setup, cfg: Config, levels: tuple[int, ...]
) -> tuple[list[Idle], float]:
    """Connect idle clients level by level (the storm), then watch the server while
    nobody sends anything: RSS per connection and CPU per second at each level."""
    baseline = target.meter.rss()
    figures: list[Idle] = []
    connected = failed = 0
    connect_seconds = 0.0
    try:
        for level in levels:
            rooms = await setup.idle(max(0, level - connected) // IDLE_ROOM, IDLE_ROOM)
            made, lost, seconds, _ = await gens.open(
                target.urls, "/poker", rooms, concurrency=STORM_CONCURRENCY
            )
            connected += made
            failed += lost
            connect_seconds += seconds
            await asyncio.sleep(1.0)
            cpu0, t0 = target.meter.cpu(), time.monotonic()
            await asyncio.sleep(cfg.idle_seconds)
            cpu = target.meter.cpu() - cpu0
            elapsed = time.monotonic() - t0
            rss = target.meter.rss() - baseline
            figures.append(
                Idle(
                    connected,
                    rss / max(connected, 1) / 1024,
                    100 * cpu / elapsed,
                    connect_failed=failed,
                )
            )
    finally:
        await gens.close()
    return figures, connected / connect_seconds if connect_seconds else 0.0


async def rest(target: Target, gens: Generators, setup: Setup, cfg: Config) -> Rest:
    """Guests join one session and vote, 20 at a time, over REST."""
    code = await setup.session()
    cpu0 = target.meter.cpu()
    answer = await gens.rest(target.urls, code, cfg.rest_guests, "5")
    cpu = target.meter.cpu() - cpu0
    pairs = int(answer["ok"])
    latencies = [float(x) for x in answer["latencies"]]
    return Rest(
        pairs=pairs,
        pairs_per_s=pairs / float(answer["seconds"]),
        p50=percentile(latencies, 50),
        p99=percentile(latencies, 99),
        cpu_ms_per_pair=1000 * cpu / pairs if pairs else 0.0,
        failed=int(answer["failed"]),
        errors=list(answer["errors"]),
    )


async def cards(target: Target, setup: Setup, cfg: Config) -> Cards:
    """A member creates cards (each with a checklist item) in one column of a board,
    then renames each, then comments on each, 10 requests at a time, over REST from
    this process, each request on the next worker in turn."""
    token, _, base, column = await setup.project("Bench cards")
    gate = asyncio.Semaphore(CARDS_CONCURRENCY)
    failed = 0
    errors: list[str] = []

    async def call(
        method: str, path: str, body: dict[str, Any], worker: int
    ) -> dict[str, Any] | None:
        nonlocal failed
        async with gate:
            try:
                answer: dict[str, Any] = await setup._call(
                    method, path, token, worker=worker, json=body
                )
                return answer
            except Exception as exc:
                failed += 1
                errors[len(errors) :] = [str(exc)][: 3 - len(errors)]
                return None

    async def timed(
        method: str, calls: list[tuple[str, dict[str, Any]]]
    ) -> tuple[list[dict[str, Any] | None], float, float]:
        cpu0, t0 = target.meter.cpu(), time.monotonic()
        answers = await asyncio.gather(
            *(call(method, path, body, n) for n, (path, body) in enumerate(calls))
        )
        return answers, target.meter.cpu() - cpu0, time.monotonic() - t0

    card: dict[str, Any] = {"title": "Bench card", "checklist": [{"title": "Done"}]}
    new = f"{base}/columns/{column}/cards"
    made, card_cpu, card_s = await timed("POST", [(new, card)] * cfg.rest_cards)
    ids = [str(c["id"]) for c in made if c is not None]
    renamed = {"title": "Bench card, renamed"}
    _, change_cpu, change_s = await timed("PATCH", [(f"{base}/cards/{i}", renamed) for i in ids])
    comment: dict[str, Any] = {"content": "Looks good"}
    said = [(f"{base}/cards/{i}/comments", comment) for i in ids]
    _, comment_cpu, comment_s = await timed("POST", said)
    n = len(ids)
    return Cards(
        cards=n,
        cards_per_s=n / card_s if card_s else 0.0,
        cpu_ms_per_card=1000 * card_cpu / n if n else 0.0,
        changes_per_s=n / change_s if change_s else 0.0,
        cpu_ms_per_change=1000 * change_cpu / n if n else 0.0,
        comments_per_s=n / comment_s if comment_s else 0.0,
        cpu_ms_per_comment=1000 * comment_cpu / n if n else 0.0,
        failed=failed,
        errors=errors,
    )
