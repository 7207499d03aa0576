"""Placeholder: filled in by its area."""

from __future__ import annotations

from server.api.routing import Api

api = Api("sessions")
