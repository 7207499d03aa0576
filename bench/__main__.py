"""`make bench`: fan-out in a live room, Roundtable beside a bare reference server.

Two scenarios: votes in a /poker room, and card moves on a /board. For each server it
connects ROOM_SIZE websocket clients to one room, then one of them sends COMMANDS
commands one after another. It reports the ack latency (the change is committed,
logged and acknowledged), the fan-out latency (until every client in the room has the
broadcast), the commands per second, and the load generator's own CPU time so that a
saturated generator is visible. Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import socketio

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


@contextmanager
def _process(cmd: list[str], env: dict[str, str], probe: str) -> Any:
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_for(probe)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Result:
    name: str
    acks_ms: list[float]
    fanout_ms: list[float]
    seconds: float
    cpu_seconds: float

    def row(self) -> list[str]:
        def pct(xs: list[float], p: float) -> str:
            return f"{statistics.quantiles(xs, n=100)[int(p) - 1]:.1f}" if len(xs) > 1 else "-"

        return [
            self.name,
            f"{statistics.median(self.acks_ms):.1f}",
            pct(self.acks_ms, 95),
            f"{statistics.median(self.fanout_ms):.1f}",
            pct(self.fanout_ms, 95),
            f"{len(self.acks_ms) / self.seconds:.0f}",
            f"{self.cpu_seconds:.2f}",
        ]


@dataclass
class Scenario:
    namespace: str
    command: str
    auths: list[dict[str, str]]
    payload: Any  # (i) -> the i-th command's payload


async def _room(url: str, scenario: Scenario, count: int, name: str) -> Result:
    clients: list[Any] = []
    seen: list[dict[int, float]] = []
    ns = scenario.namespace
    for auth in scenario.auths:
        client = socketio.AsyncClient(serializer="msgpack")
        arrivals: dict[int, float] = {}

        def on_event(event: dict[str, Any], _arrivals: dict[int, float] = arrivals) -> None:
            _arrivals[int(event["seq"])] = time.perf_counter()

        client.on("event", on_event, namespace=ns)
        await client.connect(url, namespaces=[ns], transports=["websocket"], auth=auth)
        clients.append(client)
        seen.append(arrivals)
    await asyncio.sleep(0.5)
    for arrivals in seen:
        arrivals.clear()
    sender = clients[0]
    acks: list[float] = []
    fanout: list[float] = []
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(count):
        sent = time.perf_counter()
        ack = await sender.call(scenario.command, scenario.payload(i), namespace=ns, timeout=10)
        acks.append((time.perf_counter() - sent) * 1000)
        if not ack.get("ok"):
            raise SystemExit(f"{name}: command refused: {ack}")
        seq = max(seen[0]) if seen[0] else None
        deadline = time.perf_counter() + 5
        while seq is not None and time.perf_counter() < deadline:
            if all(seq in a for a in seen):
                break
            await asyncio.sleep(0.0005)
        if seq is not None:
            fanout.append((max(a.get(seq, sent) for a in seen) - sent) * 1000)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    for client in clients:
        await client.disconnect()
    return Result(name, acks, fanout, elapsed, cpu)


def _register(http: httpx.Client) -> dict[str, str]:
    reg = http.post(
        "/api/auth/register",
        json={"email": "bench@example.com", "password": "bench-password-1", "name": "Bench"},
    )
    reg.raise_for_status()
    return {"Authorization": f"Bearer {reg.json()['access_token']}"}


def _poker_scenario(base: str, room_size: int) -> Scenario:
    """A session with one story and a guest per client, all set up over REST."""
    with httpx.Client(base_url=base, timeout=10) as http:
        auth = _register(http)
        session = http.post("/api/sessions", json={"name": "Bench"}, headers=auth)
        code = session.json()["session"]["code"]
        http.post(f"/api/sessions/{code}/stories", json={"title": "Bench story"}, headers=auth)
        tokens = []
        for i in range(room_size):
            joined = http.post(f"/api/sessions/{code}/join", json={"name": f"Client {i}"})
            joined.raise_for_status()
            tokens.append(joined.json()["token"])
    return Scenario(
        "/poker",
        "cast_vote",
        [{"token": t, "code": code} for t in tokens],
        lambda i: {"value": "5" if i % 2 else "8"},
    )


def _board_scenario(base: str, room_size: int, cards: int = 50) -> Scenario:
    """A project on the personal workspace with `cards` cards; every client is its owner,
    and each command moves the bottom card of the first column to its top."""
    with httpx.Client(base_url=base, timeout=10) as http:
        login = http.post(
            "/api/auth/login", json={"email": "bench@example.com", "password": "bench-password-1"}
        )
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        org = http.get("/api/organizations", headers=auth).json()[0]["slug"]
        ws = http.get(f"/api/orgs/{org}/workspaces", headers=auth).json()[0]["slug"]
        prefix = f"/api/orgs/{org}/workspaces/{ws}/projects"
        project = http.post(prefix, json={"name": "Bench board"}, headers=auth).json()
        columns = http.get(f"{prefix}/{project['id']}/columns", headers=auth).json()
        column = columns[0]["id"]
        ids = []
        for i in range(cards):
            made = http.post(
                f"{prefix}/{project['id']}/columns/{column}/cards",
                json={"title": f"Card {i}"},
                headers=auth,
            )
            made.raise_for_status()
            ids.append(made.json()["id"])
    token = auth["Authorization"].removeprefix("Bearer ")
    order = list(ids)

    def move(_: int) -> dict[str, Any]:
        card = order.pop()
        payload = {"card_id": card, "column_id": column, "before_id": order[0]}
        order.insert(0, card)
        return payload

    return Scenario(
        "/board", "move_card", [{"token": token, "project": project["id"]}] * room_size, move
    )


def _table(rows: list[list[str]]) -> str:
    head = [
        "server",
        "ack p50 ms",
        "ack p95 ms",
        "fan-out p50 ms",
        "fan-out p95 ms",
        "cmds/s",
        "gen CPU s",
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _run_scenarios(args: argparse.Namespace) -> dict[str, list[Result]]:
    results: dict[str, list[Result]] = {"poker": [], "board": []}
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite://{tmp}/bench.sqlite3",
            "ROUNDTABLE_DATA_DIR": tmp,
            "RATE_LIMIT": "1000000/minute",
            "LOG_LEVEL": "warning",
            "SECRET_KEY": "b" * 48,
        }
        subprocess.run(
            [sys.executable, "-m", "server", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        with _process(
            [sys.executable, "-m", "server", "--port", str(port)], env, base + "/api/health"
        ):
            poker = _poker_scenario(base, args.room_size)
            results["poker"].append(
                asyncio.run(_room(base, poker, args.commands, "roundtable (sqlite)"))
            )
            board = _board_scenario(base, args.room_size)
            results["board"].append(
                asyncio.run(_room(base, board, args.commands, "roundtable (sqlite)"))
            )

        ref_port = _free_port()
        ref = f"http://127.0.0.1:{ref_port}"
        with _process(
            [sys.executable, "-m", "bench.reference_server", str(ref_port)],
            dict(os.environ),
            ref + "/socket.io/?EIO=4&transport=polling",
        ):
            for name, ns, command, key in (
                ("poker", "/poker", "cast_vote", "code"),
                ("board", "/board", "move_card", "project"),
            ):
                scenario = Scenario(
                    ns, command, [{"token": "-", key: "BENCH"}] * args.room_size, lambda i: {"i": i}
                )
                results[name].append(
                    asyncio.run(_room(ref, scenario, args.commands, "reference (bare socketio)"))
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--room-size", type=int, default=50, help="clients in the room (default 50)"
    )
    parser.add_argument(
        "--commands", type=int, default=200, help="commands sent one after another (default 200)"
    )
    args = parser.parse_args()
    if not (1 <= args.room_size <= 500 and 1 <= args.commands <= 5000):
        raise SystemExit("--room-size is 1..500 and --commands 1..5000")

    results = _run_scenarios(args)
    for name, title in (("poker", "Votes in a /poker room"), ("board", "Card moves on a /board")):
        print(
            f"\n{title}: {args.room_size} clients, {args.commands} sequential commands, "
            f"loopback, {os.cpu_count()} cores\n"
        )
        print(_table([r.row() for r in results[name]]))
        ours, ref_result = results[name]
        ratio = statistics.median(ours.fanout_ms) / max(
            statistics.median(ref_result.fanout_ms), 1e-6
        )
        print(
            f"roundtable fan-out p50 is {ratio:.1f}x the reference's: the difference is auth, "
            "the locked transaction, the event log and the commit before each broadcast."
        )


if __name__ == "__main__":
    main()
