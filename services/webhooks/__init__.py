"""Webhooks: an account's subscriptions to poker and board events, signed JSON POSTs
sent by the job runner after the change has committed, and the log of every try."""

from __future__ import annotations

from services.webhooks import delivery as delivery
from services.webhooks.catalog import EVENTS as EVENTS
from services.webhooks.fanout import drain as drain
from services.webhooks.fanout import install as install
from services.webhooks.targets import configure as configure

__all__ = ["EVENTS", "configure", "delivery", "drain", "install"]
