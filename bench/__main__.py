"""`make bench`: Roundtable's fan-out, measured side by side with a Node.js Socket.IO 4
reference that does no database work, a raw-websocket floor, and that floor's twin in
Python (how much of the distance is the language's).

Each server in turn, on loopback: idle connections (connected 100 at a time: the
connection storm), poker rooms of 10 where one guest per room votes, board rooms of 50
where one client per room moves cards, REST guest join + vote, and REST card creation,
changes and comments (Roundtable only). A room scenario
first finds saturation (one command in flight per room, sent again on its ack), then
offers open-loop load at fractions of it. Node load generators on the real wire
contract (msgpack, websocket, auth, state, event) record emit-to-last-receiver latency
and check every client's seq order. The report prints the figures with the targets of
the hot-path work beside them; it prints, it never fails on a figure. `--repeat N` runs
every server N times in turn and reports each scenario's median run.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import machine, repeats, report, scenarios
from bench.figures import Server
from bench.generator import Generators
from bench.plot import plot
from bench.rooms import Setup
from bench.scenarios import Config
from bench.servers import (
    KINDS,
    ROOT,
    logs,
    node_missing,
    postgres_missing,
    redis_missing,
    start,
)

SCENARIOS = ("idle", "poker", "rounds", "board", "rest", "cards")
# Idle cost does not depend on the database, so the others climb only the first level.
FULL_IDLE_LADDER = {"sqlite", "node"}
QUICK_LEAVES_OUT = {"pyfloor"}
QUICK = Config(
    poker_rooms=20,
    board_rooms=4,
    warmup=0.5,
    seconds=1.5,
    fractions=(0.5, 0.8),
    idle_levels=(500,),
    idle_seconds=2.0,
    rest_guests=100,
    rest_cards=100,
)


def _parser() -> argparse.ArgumentParser:
    full = Config()
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add(
        "--quick",
        action="store_true",
        help="a short run of every scenario (make bench QUICK=1)",
    )
    add(
        "--servers",
        help=f"comma-separated, of: {', '.join(KINDS)} (default: all; with --quick, all "
        "but the Python floor, to stay within three minutes)",
    )
    add(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, of: {', '.join(SCENARIOS)}",
    )
    add("--poker-rooms", type=int, help=f"poker rooms of 10 (default {full.poker_rooms})")
    add("--board-rooms", type=int, help=f"board rooms of 50 (default {full.board_rooms})")
    add("--seconds", type=float, help=f"measured seconds per load point (default {full.seconds:g})")
    add("--warmup", type=float, help=f"unmeasured seconds before each (default {full.warmup:g})")
    add(
        "--fractions",
        help="open-loop loads as fractions of saturation (default "
        + ",".join(f"{f:g}" for f in full.fractions)
        + ")",
    )
    add(
        "--idle-levels",
        help="idle connections, climbed in turn (default "
        + ",".join(str(n) for n in full.idle_levels)
        + ")",
    )
    add("--idle-seconds", type=float, help=f"idle watch per level (default {full.idle_seconds:g})")
    add("--rest-guests", type=int, help=f"REST join + vote pairs (default {full.rest_guests})")
    add(
        "--rest-cards",
        type=int,
        help=f"REST cards created, then renamed and commented on (default {full.rest_cards})",
    )
    add(
        "--repeat",
        type=int,
        help="run every server this many times, in turn, and report each scenario's median "
        "run with the lowest and highest beside it (default 1)",
    )
    add("--generators", type=int, default=1, help="load generator processes (default 1)")
    add(
        "--no-pin", action="store_true", help="do not keep generators and servers on separate cores"
    )
    add(
        "--out",
        type=Path,
        default=ROOT / "bench" / "results",
        help="where results.json and the servers' logs go",
    )
    add("--plot", type=Path, default=ROOT / "bench" / "latency.png", help="the latency plot")
    return parser


def _config(args: argparse.Namespace) -> Config:
    cfg = QUICK if args.quick else Config()
    changes: dict[str, object] = {}
    for name in (
        "poker_rooms",
        "board_rooms",
        "seconds",
        "warmup",
        "idle_seconds",
        "rest_guests",
        "rest_cards",
    ):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.repeat is not None:
        if args.repeat < 1:
            raise SystemExit("--repeat: at least 1")
        changes["repeat"] = args.repeat
    if args.fractions:
        changes["fractions"] = tuple(float(x) for x in args.fractions.split(","))
    if args.idle_levels:
        changes["idle_levels"] = tuple(int(x) for x in args.idle_levels.split(","))
    return dataclasses.replace(cfg, **changes)  # type: ignore[arg-type]


def _cores(pinned: bool) -> tuple[set[int] | None, set[int] | None]:
    """(server cores, generator cores): the generators on the last core, servers on the
    rest, when there are two or more."""
    count = os.cpu_count() or 1
    if not pinned or count < 2:
        return None, None
    return set(range(count - 1)), {count - 1}


def _default_servers(quick: bool) -> str:
    """Every server; a quick run leaves out the Python floor, which a before-and-after
    of Roundtable's own code does not need, to stay within three minutes."""
    return ",".join(k for k in KINDS if not (quick and k in QUICK_LEAVES_OUT))


def _missing(key: str) -> str | None:
    if key in ("node", "floor"):
        return node_missing()
    if key in ("postgres", "redis2") and (reason := postgres_missing()):
        return reason
    if key == "redis2":
        return redis_missing()
    return None


_STARTED = time.monotonic()


def _say(text: str) -> None:
    print(f"[{time.monotonic() - _STARTED:5.0f}s] {text}", file=sys.stderr, flush=True)


async def _one(
    key: str,
    cfg: Config,
    chosen: set[str],
    gens: Generators,
    cpus: set[int] | None,
    out: Path,
    tag: str = "",
) -> Server:
    kind = KINDS[key]
    fig = Server(key, kind.label, kind.note)
    if (reason := _missing(key)) is not None:
        fig.skipped = reason
        _say(f"{kind.label}: skipped, {reason}")
        return fig
    server_cpus = cpus
    if key == "redis2" and cpus is not None and len(cpus) < 2:
        server_cpus = None
        fig.notes.append("its two workers share every core, the generator's included")
    with tempfile.TemporaryDirectory(prefix="roundtable-bench-") as tmp:
        try:
            _say(f"{kind.label}: starting")
            async with start(key, Path(tmp), server_cpus) as target:
                setup = Setup(target)
                try:
                    if "idle" in chosen:
                        levels = cfg.idle_levels if key in FULL_IDLE_LADDER else cfg.idle_levels[:1]
                        _say(f"{kind.label}: idle connections {levels}")
                        fig.idle, fig.storm_per_s = await scenarios.idle(
                            target, gens, setup, cfg, levels
                        )
                    for name in ("poker", "rounds", "board"):
                        if name in chosen:
                            _say(f"{kind.label}: {name} rooms")
                            setattr(
                                fig, name, await scenarios.fanout(target, gens, setup, cfg, name)
                            )
                    if "rest" in chosen and kind.roundtable:
                        _say(f"{kind.label}: REST guest join + vote")
                        fig.rest = await scenarios.rest(target, gens, setup, cfg)
                    if "cards" in chosen and kind.roundtable:
                        _say(f"{kind.label}: REST cards and comments")
                        fig.cards = await scenarios.cards(target, setup, cfg)
                finally:
                    await setup.aclose()
        except Exception as err:
            fig.skipped = "failed: " + (str(err).splitlines() or [type(err).__name__])[0]
            _say(f"{kind.label}: failed\n{traceback.format_exc()}")
            _say(await asyncio.to_thread(logs, Path(tmp)))
        finally:
            # The servers' logs outlive the run, for the failures a report only counts.
            for log in await asyncio.to_thread(lambda: sorted(Path(tmp).glob("*.log"))):
                await asyncio.to_thread(shutil.copy, log, out / "logs" / (tag + log.name))
    return fig


async def _run(args: argparse.Namespace, cfg: Config) -> dict[str, list[Server]]:
    """Every server's runs, pass by pass, keyed in the order asked for."""
    keys = [k.strip() for k in (args.servers or _default_servers(args.quick)).split(",")]
    keys = [k for k in keys if k]
    chosen = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    unknown = [k for k in keys if k not in KINDS] + sorted(chosen - set(SCENARIOS))
    if unknown:
        raise SystemExit(f"unknown server or scenario: {', '.join(unknown)}")
    server_cpus, gen_cpus = _cores(not args.no_pin)
    gens = await Generators.start(max(1, args.generators), gen_cpus)
    try:
        (args.out / "logs").mkdir(parents=True, exist_ok=True)
        runs: dict[str, list[Server]] = {key: [] for key in keys}
        for pass_ in range(cfg.repeat):
            if cfg.repeat > 1:
                _say(f"pass {pass_ + 1} of {cfg.repeat}")
            tag = f"pass{pass_ + 1}-" if cfg.repeat > 1 else ""
            for key in repeats.order(keys, pass_):
                fig = await _one(key, cfg, chosen, gens, server_cpus, args.out, tag)
                runs[key].append(fig)
        return runs
    finally:
        await gens.stop()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    cfg = _config(args)
    if (reason := node_missing()) is not None:
        print(f"make bench needs Node.js and npm for its load generator: {reason}; skipping.")
        return 0
    about = machine.describe()
    # A stopped bench still stops its servers: SIGTERM unwinds like Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    runs = asyncio.run(_run(args, cfg))
    servers = [repeats.fold(each) for each in runs.values()]
    about["load_after"] = machine.load()
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "machine": about,
        "config": dataclasses.asdict(cfg),
        "servers": [dataclasses.asdict(s) for s in servers],
    }
    if cfg.repeat > 1:
        results["every_pass"] = {
            key: [dataclasses.asdict(s) for s in each] for key, each in runs.items()
        }
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print(report.render(servers, cfg, about))
    if plot(servers, args.plot):
        print(f"\nlatency plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
