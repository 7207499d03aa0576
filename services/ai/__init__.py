"""Structured suggestions, with or without a model: one interface (`provider.py`), the
built-in rules and an OpenAI-compatible model behind it."""

from services.ai.provider import (
    AiConfig,
    Provider,
    Suggestion,
    UnknownTask,
    configure,
    current,
    use,
)

__all__ = ["AiConfig", "Provider", "Suggestion", "UnknownTask", "configure", "current", "use"]
