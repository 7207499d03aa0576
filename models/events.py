"""The per-room event log: the truth that `sync` replays."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Room(Model):
    """One row per live room, holding the last sequence number handed out."""

    key = fields.CharField(max_length=64, primary_key=True)
    seq = fields.BigIntField(default=0)

    class Meta:
        table = "rooms"


class RoomEvent(Model):
    id = fields.BigIntField(primary_key=True)
    room = fields.CharField(max_length=64)
    seq = fields.BigIntField()
    type = fields.CharField(max_length=40)
    data: fields.Field[dict[str, Any]] = fields.JSONField()
    actor: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "room_events"
        unique_together = (("room", "seq"),)
