"""What a document's content may hold: TipTap (ProseMirror) JSON made of StarterKit's
nodes and marks, with their attributes, bounded in depth and size; and its plain text.

Anything else is refused with a 400 naming the node, by its path in the content, and
the problem, so an editor never saves what it could not load again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from services.errors import ValidationFailed

# Bounds: a long specification is a few hundred KiB of JSON; a document nested deeper
# than this is not one a person wrote.
MAX_BYTES = 512 * 1024
MAX_DEPTH = 32
MAX_NODES = 20_000
MAX_TEXT = 100_000
MAX_ATTR_TEXT = 2048

EMPTY: dict[str, Any] = {"type": "doc", "content": [{"type": "paragraph"}]}

_BLOCKS = frozenset(
    {"paragraph", "heading", "blockquote", "bulletList", "orderedList", "codeBlock",
     "horizontalRule"}
)  # fmt: skip
_INLINE = frozenset({"text", "hardBreak"})
_LANGUAGE = re.compile(r"^[A-Za-z0-9_+#.-]{1,40}$")
_HREF = re.compile(r"^(https?://|mailto:|/|#)", re.IGNORECASE)
_LINES = re.compile(r"\n{2,}")
_LIST_TYPES = frozenset({"1", "a", "A", "i", "I"})


def _level(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6
    return None if ok else "must be a whole number from 1 to 6"


def _start(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1_000_000
    return None if ok else "must be a whole number from 0 to 1000000"


def _list_type(value: Any) -> str | None:
    return None if value is None or value in _LIST_TYPES else "must be null, 1, a, A, i or I"


def _language(value: Any) -> str | None:
    ok = value is None or (isinstance(value, str) and bool(_LANGUAGE.match(value)))
    return None if ok else "must be null or a language name (letters, digits, _+#.-)"


def _href(value: Any) -> str | None:
    ok = isinstance(value, str) and len(value) <= MAX_ATTR_TEXT and bool(_HREF.match(value))
    return None if ok else "must be an http(s), mailto, relative or #anchor link"


def _short_text(value: Any) -> str | None:
    ok = value is None or (isinstance(value, str) and len(value) <= 200 and "\x00" not in value)
    return None if ok else "must be null or text of at most 200 characters"


Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class NodeRule:
    # What the node may contain: block nodes, inline nodes, list items, or nothing.
    children: frozenset[str]
    attrs: dict[str, Check]
    # Whether its text may carry marks.
    marks: bool = True


_NODES: dict[str, NodeRule] = {
    "doc": NodeRule(_BLOCKS, {}),
    "paragraph": NodeRule(_INLINE, {}),
    "heading": NodeRule(_INLINE, {"level": _level}),
    "blockquote": NodeRule(_BLOCKS, {}),
    "bulletList": NodeRule(frozenset({"listItem"}), {}),
    "orderedList": NodeRule(frozenset({"listItem"}), {"start": _start, "type": _list_type}),
    "listItem": NodeRule(_BLOCKS, {}),
    "codeBlock": NodeRule(frozenset({"text"}), {"language": _language}, marks=False),
    "horizontalRule": NodeRule(frozenset(), {}),
    "hardBreak": NodeRule(frozenset(), {}),
    "text": NodeRule(frozenset(), {}),
}

_MARKS: dict[str, dict[str, Check]] = {
    "bold": {},
    "italic": {},
    "strike": {},
    "code": {},
    "underline": {},
    "link": {"href": _href, "target": _short_text, "rel": _short_text, "class": _short_text,
             "title": _short_text},
}  # fmt: skip

NODE_TYPES = tuple(_NODES)
MARK_TYPES = tuple(_MARKS)


def _refuse(where: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{where}: {message}", details={"errors": {where: [message]}})


class _Walk:
    def __init__(self) -> None:
        self.nodes = 0
        self.parts: list[str] = []

    def node(
        self, node: Any, where: str, depth: int, allowed: frozenset[str], marks: bool = True
    ) -> None:
        if depth > MAX_DEPTH:
            raise _refuse(where, f"nested deeper than {MAX_DEPTH} levels")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _refuse("content", f"more than {MAX_NODES} nodes")
        if not isinstance(node, dict):
            raise _refuse(where, "a node must be an object")
        kind = node.get("type")
        if not isinstance(kind, str):
            raise _refuse(where, "a node needs a type")
        rule = _NODES.get(kind)
        if rule is None:
            raise _refuse(where, f"unknown node type '{kind[:40]}'")
        if kind not in allowed:
            raise _refuse(where, f"a '{kind}' node cannot be placed here")
        extra = set(node) - {"type", "attrs", "content", "marks", "text"}
        if extra:
            raise _refuse(where, f"unknown key '{sorted(extra)[0][:40]}'")
        self._attrs(node.get("attrs"), rule.attrs, f"{where}.attrs")
        if kind == "text":
            self._text(node, where, marks)
            return
        if kind == "hardBreak":
            self.parts.append("\n")
        if "text" in node:
            raise _refuse(where, "only text nodes have text")
        if "marks" in node:
            raise _refuse(where, "only text nodes have marks")
        content = node.get("content")
        if content is None:
            return
        if not isinstance(content, list):
            raise _refuse(f"{where}.content", "must be a list of nodes")
        if content and not rule.children:
            raise _refuse(f"{where}.content", f"a '{kind}' node holds no content")
        start = len(self.parts)
        for i, child in enumerate(content):
            self.node(child, f"{where}.content.{i}", depth + 1, rule.children, rule.marks)
        if kind in _BLOCKS and len(self.parts) > start:
            self.parts.append("\n")

    def _text(self, node: dict[str, Any], where: str, marks_ok: bool) -> None:
        text = node.get("text")
        if not isinstance(text, str) or not text:
            raise _refuse(f"{where}.text", "a text node needs non-empty text")
        if "\x00" in text:
            raise _refuse(f"{where}.text", "must not contain NUL characters")
        if "content" in node:
            raise _refuse(where, "a text node holds no content")
        marks = node.get("marks")
        if marks is not None:
            if not isinstance(marks, list):
                raise _refuse(f"{where}.marks", "must be a list of marks")
            if marks and not marks_ok:
                raise _refuse(f"{where}.marks", "text in a code block has no marks")
            seen: set[str] = set()
            for i, mark in enumerate(marks):
                self._mark(mark, f"{where}.marks.{i}", seen)
        self.parts.append(text)

    def _mark(self, mark: Any, where: str, seen: set[str]) -> None:
        if not isinstance(mark, dict) or not isinstance(mark.get("type"), str):
            raise _refuse(where, "a mark must be an object with a type")
        kind = mark["type"]
        checks = _MARKS.get(kind)
        if checks is None:
            raise _refuse(where, f"unknown mark type '{kind[:40]}'")
        if kind in seen:
            raise _refuse(where, f"the mark '{kind}' is repeated")
        seen.add(kind)
        extra = set(mark) - {"type", "attrs"}
        if extra:
            raise _refuse(where, f"unknown key '{sorted(extra)[0][:40]}'")
        self._attrs(mark.get("attrs"), checks, f"{where}.attrs")
        if kind == "link" and "href" not in (mark.get("attrs") or {}):
            raise _refuse(f"{where}.attrs", "a link needs an href")

    def _attrs(self, attrs: Any, checks: dict[str, Check], where: str) -> None:
        if attrs is None:
            return
        if not isinstance(attrs, dict):
            raise _refuse(where, "must be an object")
        for name, value in attrs.items():
            check = checks.get(name)
            if check is None:
                raise _refuse(where, f"unknown attribute '{str(name)[:40]}'")
            problem = check(value)
            if problem:
                raise _refuse(f"{where}.{name}", problem)


def from_text(text: str) -> dict[str, Any]:
    """Plain text as a document: a paragraph per line, empty lines kept as empty ones."""
    paragraphs: list[dict[str, Any]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        paragraph: dict[str, Any] = {"type": "paragraph"}
        if line:
            paragraph["content"] = [{"type": "text", "text": line}]
        paragraphs.append(paragraph)
    return {"type": "doc", "content": paragraphs}


def check(content: Any) -> tuple[dict[str, Any], str]:
    """The content as stored and its plain text; ValidationFailed names what is wrong."""
    if not isinstance(content, dict):
        raise _refuse("content", "must be a TipTap document object")
    try:
        size = len(orjson.dumps(content))
    except (TypeError, orjson.JSONEncodeError):
        raise _refuse("content", "must be plain JSON") from None
    if size > MAX_BYTES:
        raise _refuse("content", f"larger than {MAX_BYTES // 1024} KiB")
    if content.get("type") != "doc":
        raise _refuse("content.type", "the top node must be 'doc'")
    walk = _Walk()
    walk.node(content, "content", 0, frozenset({"doc"}))
    # One line per block, however deeply blocks nest.
    text = _LINES.sub("\n", "".join(walk.parts)).strip()
    if len(text) > MAX_TEXT:
        raise _refuse("content", f"more than {MAX_TEXT} characters of text")
    return content, text
