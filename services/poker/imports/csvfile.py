"""Stories from a spreadsheet's CSV export (any tool's, Jira's included): decoding,
the delimiter, which column is which, and one story per row."""

from __future__ import annotations

import csv
import io
import re

from services.errors import TooLarge, ValidationFailed, invalid_field
from services.poker.imports.items import MAX_ROWS, Parsed, checked, collect

MAX_BYTES = 5 * 1024 * 1024
FIELDS = ("title", "description", "acceptance_criteria", "key", "estimate", "url")
_DELIMITERS = ",;\t|"
# Header names each field is recognised by, compared without case, spaces or punctuation
# (Jira's export calls a custom field "Custom field (Story Points)").
_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "summary", "name", "storytitle", "story", "userstory", "subject", "issue"),
    "description": ("description", "details", "body", "desc", "storydescription", "notes"),
    "acceptance_criteria": (
        "acceptancecriteria",
        "customfieldacceptancecriteria",
        "acceptance",
        "criteria",
        "ac",
    ),
    "key": ("key", "issuekey", "id", "issueid", "externalid", "ticket", "number", "ref"),
    "estimate": (
        "storypoints",
        "customfieldstorypoints",
        "storypointestimate",
        "customfieldstorypointestimate",
        "estimate",
        "points",
        "sp",
        "size",
    ),
    "url": ("url", "link", "issueurl", "htmlurl", "weblink"),
}
_FILE_FIELD = "file"
_NOT_CSV = "is not a CSV file"


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, as Excel
    saves "Unicode text". A workbook, another binary file or another encoding is
    refused with what to do instead."""
    if len(raw) > MAX_BYTES:
        raise TooLarge(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it")
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise invalid_field(
            _FILE_FIELD, f"{_NOT_CSV} but a workbook: save it as CSV UTF-8 (comma delimited)"
        )
    if raw.startswith(b"%PDF"):
        raise invalid_field(_FILE_FIELD, f"{_NOT_CSV} but a PDF")
    try:
        if raw.startswith(b"\xef\xbb\xbf"):
            text = raw.decode("utf-8-sig")
        elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = raw.decode("utf-16")
        else:
            text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_field(
            _FILE_FIELD,
            "is not UTF-8 or UTF-16 text: save it as CSV UTF-8 (in Excel, 'CSV UTF-8')",
        ) from None
    if "\x00" in text or _looks_binary(text):
        raise invalid_field(_FILE_FIELD, f"{_NOT_CSV}: it holds binary data")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\r\n\t")
    return controls > len(sample) // 100 + 1


def _delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate it holds most of."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                records.append([])  # a blank row keeps its number
                continue
            records.append(record)
            if len(records) > MAX_ROWS + 1 + 100:
                break
    except csv.Error as exc:
        raise invalid_field(_FILE_FIELD, f"{_NOT_CSV} that can be read: {exc}") from None
    while records and not records[-1]:
        records.pop()
    return records


def detect(columns: list[str]) -> dict[str, str | None]:
    """Which column holds each field, by its header name; the first match wins."""
    squashed = [_squash(c) for c in columns]
    found: dict[str, str | None] = {}
    taken: set[int] = set()
    for name in FIELDS:
        found[name] = None
        for alias in _NAMES[name]:
            hits = [i for i, s in enumerate(squashed) if s == alias and i not in taken]
            if hits:
                taken.add(hits[0])
                found[name] = columns[hits[0]]
                break
    return found


def _mapped(
    columns: list[str], mapping: dict[str, str | None] | None
) -> tuple[dict[str, str | None], dict[str, int]]:
    """The mapping in force (detected, with the caller's on top) and each field's index."""
    chosen = detect(columns)
    lowered = {c.strip().lower(): i for i, c in reversed(list(enumerate(columns)))}
    index: dict[str, int] = {}
    for name, column in (mapping or {}).items():
        if column is None or column == "":
            chosen[name] = None
            continue
        if column.strip().lower() not in lowered:
            raise invalid_field(f"mapping.{name}", f"there is no column named {column!r}")
        chosen[name] = columns[lowered[column.strip().lower()]]
    for name, picked in chosen.items():
        if picked is not None:
            index[name] = lowered.get(picked.strip().lower(), columns.index(picked))
    if "title" not in index:
        raise ValidationFailed(
            "No title column: name it in mapping.title (the columns are: "
            + ", ".join(repr(c) for c in columns)[:400]
            + ")",
            details={"errors": {"mapping.title": ["no column holds the titles"]}},
        )
    return chosen, index


def parse(
    text: str,
    *,
    provider: str = "csv",
    mapping: dict[str, str | None] | None = None,
    site_url: str | None = None,
) -> Parsed:
    """One story per row of `text`. With `site_url` (a Jira export) the stories link to
    that Jira site for estimate sync, and keys without a link get one there."""
    records = _records(text)
    if not records:
        raise invalid_field(_FILE_FIELD, "is empty: it has no header row")
    header, rows = records[0], records[1:]
    if len(rows) > MAX_ROWS:
        raise invalid_field(_FILE_FIELD, f"has more than {MAX_ROWS:,} rows; split it")
    columns = [c.strip() for c in header]
    chosen, index = _mapped(columns, mapping)
    link = "jira" if site_url else "csv"
    parsed = Parsed(
        provider=provider,
        link=link,
        origin={"site_url": site_url} if site_url else {},
        columns=columns,
        mapping=chosen,
    )

    def cell(record: list[str], name: str) -> str:
        i = index.get(name)
        return record[i] if i is not None and i < len(record) else ""

    for number, record in enumerate(rows, start=2):
        if not record:
            continue
        key = cell(record, "key").strip()
        url = cell(record, "url").strip()
        if site_url and key and not url:
            url = f"{site_url}/browse/{key}"
        collect(
            parsed,
            checked(
                number,
                title=cell(record, "title"),
                description=cell(record, "description"),
                acceptance_criteria=cell(record, "acceptance_criteria"),
                external_key=key,
                external_url=url,
                estimate=cell(record, "estimate"),
            ),
        )
    return parsed
