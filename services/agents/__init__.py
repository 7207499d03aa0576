"""Workspace agents: their configuration (`agents`), the missions people start on cards
(`missions`, run as jobs by `runner`), what a mission plans (`plans` with the built-in
rules, `model` with an OpenAI-compatible model), its stored steps (`steps`) and the
proposals people approve or reject (`proposals`)."""

from services.agents import runner as runner  # registers the mission job's handler

__all__ = ["runner"]
