"""The Node load generators, driven over their stdin and stdout: one JSON request per
line, one JSON answer per line (see bench/reference/loadgen.mjs)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from bench.procs import pin
from bench.servers import REFERENCE

Room = dict[str, Any]  # {"auths": [...], "type", "command", "payload": {...}}


@dataclass
class Run:
    """What the generators saw during one measured window, summed over them."""

    sent: int = 0
    acked: int = 0
    failed: int = 0
    timeouts: int = 0
    errors: list[str] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    unmatched: int = 0
    deliveries: int = 0
    latencies: list[float] = field(default_factory=list)
    gen_cpu_pct: float = 0.0  # the busiest generator, % of one core
    gen_cpu_seconds: float = 0.0  # all generators
    # The longest any generator's event loop was held up in the window (ms): receipts
    # it timestamps wait as long, so a latency up to this may be the generator's.
    gen_stall_ms: float = 0.0
    seconds: float = 0.0

    def add(self, answer: dict[str, Any]) -> None:
        for name in ("sent", "acked", "failed", "timeouts", "lost", "duplicated", "unmatched"):
            setattr(self, name, getattr(self, name) + int(answer[name]))
        self.out_of_order += int(answer["outOfOrder"])
        self.deliveries += int(answer["deliveries"])
        self.errors += answer["errors"]
        self.latencies += answer["latencies"]
        self.seconds = float(answer["measureSeconds"])
        self.gen_cpu_pct = max(self.gen_cpu_pct, 100 * answer["genCpu"] / self.seconds)
        self.gen_cpu_seconds += float(answer["genCpu"])
        self.gen_stall_ms = max(self.gen_stall_ms, float(answer["genStallMs"]))


class _Process:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        await self.proc.stdin.drain()
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator exited during {request['op']}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"load generator: {answer['error']}")
        return answer


class Generators:
    """`count` generator processes; rooms are dealt out whole, round robin."""

    def __init__(self, procs: list[_Process]) -> None:
        self._procs = procs
        self._rooms = [0] * len(procs)

    @classmethod
    async def start(cls, count: int, cpus: set[int] | None) -> Generators:
        procs = []
        for _ in range(count):
            proc = await asyncio.create_subprocess_exec(
                "node",
                str(REFERENCE / "loadgen.mjs"),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=1 << 27,
                preexec_fn=pin(cpus),
            )
            procs.append(_Process(proc))
        return cls(procs)

    async def open(
        self, urls: list[str], namespace: str, rooms: list[Room], concurrency: int = 100
    ) -> tuple[int, int, float, list[str]]:
        """Connect every client of `rooms`; (connected, failed, seconds, errors)."""
        shares: list[list[Room]] = [[] for _ in self._procs]
        for i, room in enumerate(rooms):
            shares[i % len(shares)].append(room)
        per = max(1, concurrency // len(self._procs))
        answers = await asyncio.gather(
            *(
                p.ask(
                    {
                        "op": "open",
                        "urls": urls,
                        "namespace": namespace,
                        "rooms": share,
                        "concurrency": per,
                    }
                )
                for p, share in zip(self._procs, shares, strict=True)
            )
        )
        for i, share in enumerate(shares):
            self._rooms[i] += len(share)
        errors = [e for a in answers for e in a["errors"]]
        seconds = max(float(a["seconds"]) for a in answers)
        return (
            sum(int(a["connected"]) for a in answers),
            sum(int(a["failed"]) for a in answers),
            seconds,
            errors,
        )

    async def run(
        self, *, mode: str, rate: float, start_at: float, measure: float, drain: float = 10.0
    ) -> Run:
        """Send commands until `start_at + measure` (epoch seconds), record those sent
        from `start_at` on; `rate` is commands per second over all rooms (open loop)."""
        total = sum(self._rooms) or 1
        answers = await asyncio.gather(
            *(
                p.ask(
                    {
                        "op": "run",
                        "mode": mode,
                        "rate": rate * rooms / total,
                        "startAt": int(start_at * 1000),
                        "measureMs": int(measure * 1000),
                        "drainMs": int(drain * 1000),
                    }
                )
                for p, rooms in zip(self._procs, self._rooms, strict=True)
                if rooms
            )
        )
        run = Run()
        for answer in answers:
            run.add(answer)
        return run

    async def rest(self, urls: list[str], code: str, count: int, vote: str) -> dict[str, Any]:
        """Guests join `code` and vote over REST, from the first generator, each on the
        next of `urls` in turn."""
        return await self._procs[0].ask(
            {"op": "rest", "urls": urls, "code": code, "count": count, "vote": vote}
        )

    async def close(self) -> None:
        await asyncio.gather(*(p.ask({"op": "close"}) for p in self._procs))
        self._rooms = [0] * len(self._procs)

    async def stop(self) -> None:
        for p in self._procs:
            if p.proc.stdin is not None:
                p.proc.stdin.close()
        for p in self._procs:
            try:
                await asyncio.wait_for(p.proc.wait(), 10)
            except TimeoutError:
                p.proc.kill()
                await p.proc.wait()
