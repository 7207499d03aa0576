"""Automations: a project's rules (a trigger, conditions, actions), run as durable jobs
after the change that triggers them has committed, each execution traced."""

from __future__ import annotations

from services.automations import runner as runner  # registers the job handlers
from services.automations.listener import drain as drain
from services.automations.listener import install as install

__all__ = ["drain", "install", "runner"]
