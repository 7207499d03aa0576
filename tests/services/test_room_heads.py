"""The rooms' heads, read for the seq heartbeat: every room asked for that has events,
however many are asked for at once, and none that has not."""

from __future__ import annotations

from models import Room
from services.events import current_seqs


async def test_heads_of_many_rooms_come_back_in_one_call(db: str) -> None:
    await Room.bulk_create([Room(key=f"poker:R{i:04d}", seq=i + 1) for i in range(1_200)])
    asked = [f"poker:R{i:04d}" for i in range(0, 1_200, 2)] + ["poker:NONE", "board:none"]
    asked += [f"poker:R{i:04d}" for i in range(1, 1_200, 2)]

    heads = await current_seqs(asked)

    assert len(heads) == 1_200
    assert heads["poker:R0000"] == 1
    assert heads["poker:R1199"] == 1_200
    assert "poker:NONE" not in heads
    assert await current_seqs([]) == {}
