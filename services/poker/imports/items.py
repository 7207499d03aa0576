"""What every provider answers: the stories an import would create, and the rows it
cannot take, with their reasons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TITLE_MAX, TEXT_MAX, KEY_MAX, URL_MAX, ESTIMATE_MAX = 500, 5000, 200, 1000, 20
MAX_ROWS = 1000


@dataclass(frozen=True)
class Item:
    """One story to import. `row` is its row in the spreadsheet (the header is row 1),
    or its place in the provider's answer."""

    row: int
    title: str
    description: str = ""
    acceptance_criteria: str = ""
    external_key: str | None = None
    external_url: str | None = None
    estimate: str | None = None

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


@dataclass
class Parsed:
    """A provider's answer: `link` is the provider stories are linked to for estimate
    sync ("csv", "jira", "github"), `origin` where sync reaches them again."""

    provider: str
    link: str
    origin: dict[str, Any] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, str | None] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def estimate_text(value: Any) -> str | None:
    """An estimate as a card's text: 5.0 -> "5", blank -> None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text[:ESTIMATE_MAX] or None


def checked(
    row: int,
    *,
    title: str,
    description: str = "",
    acceptance_criteria: str = "",
    external_key: str | None = None,
    external_url: str | None = None,
    estimate: Any = None,
) -> Item | RowError:
    """An Item, or the reason this row cannot become a story."""
    title = " ".join(title.split())
    if not title:
        return RowError(row, "the title is empty")
    if len(title) > TITLE_MAX:
        return RowError(row, f"the title is longer than {TITLE_MAX} characters")
    for name, text in (("description", description), ("acceptance criteria", acceptance_criteria)):
        if len(text) > TEXT_MAX:
            return RowError(row, f"the {name} is longer than {TEXT_MAX} characters")
        if "\x00" in text:
            return RowError(row, f"the {name} holds a NUL character")
    key = (external_key or "").strip() or None
    if key is not None and len(key) > KEY_MAX:
        return RowError(row, f"the key is longer than {KEY_MAX} characters")
    url = (external_url or "").strip() or None
    if url is not None and (len(url) > URL_MAX or not url.startswith(("https://", "http://"))):
        return RowError(row, "the link is not an http(s) URL of at most 1000 characters")
    return Item(
        row=row,
        title=title,
        description=description.strip(),
        acceptance_criteria=acceptance_criteria.strip(),
        external_key=key,
        external_url=url,
        estimate=estimate_text(estimate),
    )


def collect(parsed: Parsed, outcome: Item | RowError) -> None:
    """Add a row's outcome; a key seen on an earlier row is an error on this one."""
    if isinstance(outcome, RowError):
        parsed.errors.append(outcome)
        return
    if outcome.external_key is not None:
        for earlier in parsed.items:
            if earlier.external_key == outcome.external_key:
                reason = f"the key {outcome.external_key} is already on row {earlier.row}"
                parsed.errors.append(RowError(outcome.row, reason))
                return
    parsed.items.append(outcome)
