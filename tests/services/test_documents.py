"""The documents' rules with no transport: what TipTap content may hold and its plain
text, two saves racing on one version, and each change logged once in its room."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models import Document, DocumentVersion, RoomEvent
from services.documents import content as contents
from services.documents.access import document_room
from services.documents.documents import update_document
from services.errors import Conflict, ValidationFailed
from tests.factories import user_actor
from tests.matrix import build_world


def doc(*nodes: Any) -> dict[str, Any]:
    return {"type": "doc", "content": list(nodes)}


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def test_what_tiptap_produces_is_accepted_with_its_plain_text() -> None:
    """The shapes TipTap 3's getJSON() gives for StarterKit, default attributes included."""
    content = doc(
        {"type": "heading", "attrs": {"level": 2}, "content": [text("Plan")]},
        {"type": "paragraph"},
        {"type": "paragraph", "content": [
            text("See "),
            text("the spec", {"type": "link", "attrs": {
                "href": "https://example.com/spec", "target": "_blank",
                "rel": "noopener noreferrer nofollow", "class": None, "title": None}}),
            {"type": "hardBreak"},
            text("now", {"type": "bold"}, {"type": "italic"}, {"type": "underline"}),
        ]},
        {"type": "orderedList", "attrs": {"start": 1, "type": None}, "content": [
            {"type": "listItem", "content": [{"type": "paragraph", "content": [text("one")]}]},
        ]},
        {"type": "blockquote", "content": [{"type": "paragraph", "content": [text("quote")]}]},
        {"type": "codeBlock", "attrs": {"language": None}, "content": [text("x = 1")]},
        {"type": "horizontalRule"},
    )  # fmt: skip
    stored, plain = contents.check(content)
    assert stored == content
    assert plain.split("\n") == ["Plan", "See the spec", "now", "one", "quote", "x = 1"]
    assert contents.check(doc()) == (doc(), "")
    assert contents.check(contents.EMPTY)[1] == ""


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (doc({"type": "iframe"}), "content.content.0"),
        (doc({"type": "paragraph", "content": [text("a", {"type": "bold"}, {"type": "bold"})]}),
         "content.content.0.content.0.marks.1"),
        (doc({"type": "paragraph", "content": [text("a", {"type": "link", "attrs": {}})]}),
         "content.content.0.content.0.marks.0.attrs"),
        (doc({"type": "heading", "attrs": {"level": True}}), "content.content.0.attrs.level"),
        (doc({"type": "orderedList", "attrs": {"start": -1}}), "content.content.0.attrs.start"),
        (doc({"type": "codeBlock", "attrs": {"language": "<script>"}}),
         "content.content.0.attrs.language"),
        (doc({"type": "paragraph", "marks": [{"type": "bold"}]}), "content.content.0"),
        (doc({"type": "paragraph", "text": "loose"}), "content.content.0"),
        (doc({"type": "paragraph", "content": [text("a\x00b")]}),
         "content.content.0.content.0.text"),
        (doc({"type": "listItem", "content": []}), "content.content.0"),
        ({"type": "doc", "content": [{"type": "paragraph"}], "extra": 1}, "content"),
    ],
)  # fmt: skip
def test_bad_content_names_its_node(content: Any, where: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        contents.check(content)
    assert refused.value.message.startswith(where + ":"), refused.value.message


def test_bounds() -> None:
    deep: dict[str, Any] = {"type": "paragraph"}
    for _ in range(contents.MAX_DEPTH):
        deep = {"type": "blockquote", "content": [deep]}
    with pytest.raises(ValidationFailed, match="nested deeper than 32 levels"):
        contents.check(doc(deep))
    many = doc(*[{"type": "horizontalRule"}] * (contents.MAX_NODES + 1))
    with pytest.raises(ValidationFailed, match="content: more than 20000 nodes"):
        contents.check(many)
    with pytest.raises(ValidationFailed, match="content: must be plain JSON"):
        contents.check(doc({"type": "paragraph", "attrs": {1.5j: 1}}))


async def test_two_saves_of_one_version_make_one_version(db: str) -> None:
    """Two editors save at once on version 1: one wins, the other gets the conflict with
    the winner's document; nothing is written twice and the room logs one save."""
    w = await build_world()
    doc_id = await w.document()

    async def save(user: Any, title: str) -> dict[str, Any] | Conflict:
        try:
            return await update_document(
                actor=user_actor(user),
                org_slug=w.board.org.slug,
                ws_slug=w.board.workspace.slug,
                document_id=doc_id,
                version=1,
                changes={"title": title},
            )
        except Conflict as exc:
            return exc

    results = await asyncio.gather(save(w.owner, "Owner's"), save(w.member, "Member's"))
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].details["current"]["title"] == won[0]["title"]
    assert lost[0].details["current"]["version"] == 2
    stored = await Document.get(id=doc_id)
    assert stored.version == 2 and stored.title == won[0]["title"]
    assert await DocumentVersion.filter(document_id=doc_id).count() == 2
    logged = await RoomEvent.filter(room=document_room(doc_id)).order_by("seq")
    assert [(e.seq, e.type) for e in logged] == [(1, "document_created"), (2, "document_saved")]
