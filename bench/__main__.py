"""`make bench`: vote fan-out in a live poker room, Roundtable beside the reference.

For each server it connects ROOM_SIZE websocket clients to one room, then one of
them casts VOTES votes one after another. It reports the ack latency (the vote is
committed, logged and acknowledged), the fan-out latency (until every client in the
room has the broadcast), the votes per second, and the load generator's own CPU time
so that a saturated generator is visible. Loopback only; bounded in count and time.
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


async def _room(url: str, tokens: list[str], code: str, votes: int, name: str) -> Result:
    clients: list[Any] = []
    seen: list[dict[int, float]] = []
    for token in tokens:
        client = socketio.AsyncClient(serializer="msgpack")
        arrivals: dict[int, float] = {}

        def on_event(event: dict[str, Any], _arrivals: dict[int, float] = arrivals) -> None:
            _arrivals[int(event["seq"])] = time.perf_counter()

        client.on("event", on_event, namespace="/poker")
        await client.connect(
            url,
            namespaces=["/poker"],
            transports=["websocket"],
            auth={"token": token, "code": code},
        )
        clients.append(client)
        seen.append(arrivals)
    await asyncio.sleep(0.5)
    for arrivals in seen:
        arrivals.clear()
    voter = clients[0]
    acks: list[float] = []
    fanout: list[float] = []
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(votes):
        sent = time.perf_counter()
        ack = await voter.call(
            "cast_vote", {"value": "5" if i % 2 else "8"}, namespace="/poker", timeout=10
        )
        acks.append((time.perf_counter() - sent) * 1000)
        if not ack.get("ok"):
            raise SystemExit(f"{name}: vote refused: {ack}")
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


def _roundtable_tokens(base: str, room_size: int) -> tuple[str, list[str]]:
    """A user's session with one story, and a guest token per client (all over REST)."""
    with httpx.Client(base_url=base, timeout=10) as http:
        reg = http.post(
            "/api/auth/register",
            json={"email": "bench@example.com", "password": "bench-password-1", "name": "Bench"},
        )
        reg.raise_for_status()
        auth = {"Authorization": f"Bearer {reg.json()['access_token']}"}
        session = http.post("/api/sessions", json={"name": "Bench"}, headers=auth).json()["session"]
        code = session["code"]
        http.post(f"/api/sessions/{code}/stories", json={"title": "Bench story"}, headers=auth)
        tokens = []
        for i in range(room_size):
            joined = http.post(f"/api/sessions/{code}/join", json={"name": f"Client {i}"})
            joined.raise_for_status()
            tokens.append(joined.json()["token"])
    return code, tokens


def _table(rows: list[list[str]]) -> str:
    head = [
        "server",
        "ack p50 ms",
        "ack p95 ms",
        "fan-out p50 ms",
        "fan-out p95 ms",
        "votes/s",
        "gen CPU s",
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


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
        "--votes", type=int, default=200, help="votes cast one after another (default 200)"
    )
    args = parser.parse_args()
    if not (1 <= args.room_size <= 500 and 1 <= args.votes <= 5000):
        raise SystemExit("--room-size is 1..500 and --votes 1..5000")

    results = []
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
            code, tokens = _roundtable_tokens(base, args.room_size)
            results.append(
                asyncio.run(_room(base, tokens, code, args.votes, "roundtable (sqlite)"))
            )

        ref_port = _free_port()
        ref = f"http://127.0.0.1:{ref_port}"
        with _process(
            [sys.executable, "-m", "bench.reference_server", str(ref_port)],
            dict(os.environ),
            ref + "/socket.io/?EIO=4&transport=polling",
        ):
            tokens = ["-"] * args.room_size
            results.append(
                asyncio.run(_room(ref, tokens, "BENCH1", args.votes, "reference (bare socketio)"))
            )

    print(
        f"\nVote fan-out: {args.room_size} clients in one room, {args.votes} sequential votes, "
        f"loopback, {os.cpu_count()} cores\n"
    )
    print(_table([r.row() for r in results]))
    ours, ref_result = results
    ratio = statistics.median(ours.fanout_ms) / max(statistics.median(ref_result.fanout_ms), 1e-6)
    print(
        f"\nroundtable fan-out p50 is {ratio:.1f}x the reference's: the difference is the cost of "
        "auth, the transaction, the event log and the commit before each broadcast."
    )


if __name__ == "__main__":
    main()
