"""Decks and the statistics of a revealed round. Pure functions, no I/O."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any

from services.errors import Invalid

FIBONACCI = ["0", "0.5", "1", "2", "3", "5", "8", "13", "20", "40", "100", "?", "coffee"]
TSHIRT = ["XS", "S", "M", "L", "XL", "XXL", "?", "coffee"]
# Cards that say "I don't know" or "break": shown, but left out of the numbers.
NON_ESTIMATES = frozenset({"?", "coffee"})
VOTING_SYSTEMS = ("fibonacci", "tshirt", "custom")
MAX_CUSTOM_VALUES = 30
MAX_VALUE_LENGTH = 20
# A vote this many cards or more away from the consensus is an outlier.
OUTLIER_DISTANCE = 2
# Cards beyond this size are read as words, not numbers.
LARGEST_NUMBER = 1e15


def deck_for(voting_system: str, custom_values: list[str] | None) -> list[str]:
    if voting_system == "fibonacci":
        return list(FIBONACCI)
    if voting_system == "tshirt":
        return list(TSHIRT)
    if voting_system == "custom":
        return validate_custom_deck(custom_values)
    raise Invalid(
        f"voting_system must be one of {', '.join(VOTING_SYSTEMS)}",
        details={"errors": {"voting_system": ["unknown voting system"]}},
    )


def validate_custom_deck(values: list[str] | None) -> list[str]:
    def fail(message: str) -> Invalid:
        return Invalid(message, details={"errors": {"custom_deck_values": [message]}})

    if not values:
        raise fail("A custom deck needs custom_deck_values")
    cleaned = [v.strip() for v in values]
    if len(cleaned) < 2 or len(cleaned) > MAX_CUSTOM_VALUES:
        raise fail(f"A custom deck has 2 to {MAX_CUSTOM_VALUES} values")
    if any(not v or len(v) > MAX_VALUE_LENGTH for v in cleaned):
        raise fail(f"Each card is 1 to {MAX_VALUE_LENGTH} characters")
    if len(set(cleaned)) != len(cleaned):
        raise fail("Card values must be unique")
    return cleaned


def _number(value: str) -> float | None:
    """A card as a number: "nan", "inf" or "1e300" on a custom deck are words, so sums,
    means and spreads of estimates stay finite."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) <= LARGEST_NUMBER else None


def _is_numeric(values: list[str]) -> bool:
    return bool(values) and all(_number(v) is not None for v in values)


def _round(x: float) -> float | int:
    """Two decimals; whole numbers as integers while exact (JSON stores 64-bit ones)."""
    rounded = round(x, 2)
    return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded


def consensus(values: list[str], deck: list[str]) -> str | None:
    """The most common estimate; a tie goes to the value nearest the median."""
    counted = [v for v in values if v not in NON_ESTIMATES]
    if not counted:
        return None
    counts = Counter(counted)
    top = max(counts.values())
    tied = [v for v, c in counts.items() if c == top]
    if len(tied) == 1:
        return tied[0]
    position = _positions(counted, deck)
    middle = statistics.median(position(v) for v in counted)
    # Equally near candidates: take the larger, since underestimates hurt more.
    return min(tied, key=lambda v: (abs(position(v) - middle), -position(v)))


def _positions(counted: list[str], deck: list[str]) -> Any:
    if _is_numeric(counted):
        return lambda v: float(v)
    index = {v: i for i, v in enumerate(deck)}
    return lambda v: float(index.get(v, len(deck)))


def round_result(
    votes: list[tuple[int, str, str]], deck: list[str], *, with_names: bool
) -> dict[str, Any]:
    """The revealed result for (participant_id, name, value) votes."""
    values = [v for _, _, v in votes]
    counted = [v for v in values if v not in NON_ESTIMATES]
    final = consensus(values, deck)
    index = {v: i for i, v in enumerate(deck)}

    def is_outlier(value: str) -> bool:
        if final is None or value in NON_ESTIMATES:
            return False
        return abs(index.get(value, 0) - index.get(final, 0)) >= OUTLIER_DISTANCE

    ordered = sorted(votes, key=lambda v: (index.get(v[2], len(deck)), v[0]))
    rendered: list[dict[str, Any]] = []
    for pid, name, value in ordered:
        entry: dict[str, Any] = {"value": value, "outlier": is_outlier(value)}
        if with_names:
            entry = {"participant": {"id": pid, "name": name}, **entry}
        rendered.append(entry)
    distribution = {v: values.count(v) for v in deck if v in values}
    return {
        "final_estimate": final,
        "votes": rendered,
        "distribution": distribution,
        "stats": _stats(counted, values, deck, final, is_outlier),
    }


def _stats(
    counted: list[str], values: list[str], deck: list[str], final: str | None, is_outlier: Any
) -> dict[str, Any]:
    agreement = round(100 * counted.count(final) / len(counted)) if counted and final else 0
    outliers = sorted({v for v in counted if is_outlier(v)}, key=deck.index)
    stats: dict[str, Any] = {
        "votes_cast": len(values),
        "votes_counted": len(counted),
        "average": None,
        "median": None,
        "min": None,
        "max": None,
        "agreement": agreement,
        "outliers": outliers,
    }
    stats.update(figures(counted, deck))
    return stats


def figures(counted: list[str], deck: list[str]) -> dict[str, Any]:
    """Average, median, min and max of estimates (no '?' or 'coffee'): numbers when every
    one is a number, else cards by deck position with no average; all None when empty."""
    if not counted:
        return {"average": None, "median": None, "min": None, "max": None}
    if _is_numeric(counted):
        numbers = [float(v) for v in counted]
        return {
            "average": _round(statistics.fmean(numbers)),
            "median": _round(statistics.median(numbers)),
            "min": _round(min(numbers)),
            "max": _round(max(numbers)),
        }
    # Ordinal decks (T-shirt sizes) have no average; the rest are cards.
    index = {v: i for i, v in enumerate(deck)}
    ranked = sorted(counted, key=lambda v: index.get(v, len(deck)))
    return {
        "average": None,
        "median": ranked[(len(ranked) - 1) // 2],
        "min": ranked[0],
        "max": ranked[-1],
    }


def spread(counted: list[str]) -> float | int | None:
    """The population standard deviation of estimates that are all numbers, else None."""
    if not _is_numeric(counted):
        return None
    return _round(statistics.pstdev(float(v) for v in counted))
