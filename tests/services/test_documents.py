"""The documents' rules with no transport: what TipTap content may hold and its plain
text, two saves racing on one version, each change logged once in its room, and the
workspaces told when their tree changes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models import Document, DocumentVersion, RoomEvent, Workspace
from services.documents import content as contents
from services.documents.access import document_room
from services.documents.documents import delete_document, update_document
from services.documents.news import TREE_CHANGED
from services.documents.review import submit_review
from services.documents.versions import restore_version
from services.errors import Conflict, ValidationFailed
from services.pilotage.access import workspace_room
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


async def _tree_news(workspace_id: Any) -> list[dict[str, Any]]:
    """What the workspace's room logged that its document tree changed."""
    logged = await RoomEvent.filter(room=workspace_room(workspace_id), type=TREE_CHANGED).order_by(
        "seq"
    )
    return [e.data for e in logged]


async def test_the_workspace_hears_each_change_its_tree_shows_and_nothing_of_the_document(
    db: str,
) -> None:
    w = await build_world()
    ws = w.board.workspace
    where = {"org_slug": w.board.org.slug, "ws_slug": ws.slug}
    doc_id = await w.document()
    assert await _tree_news(ws.id) == [{}]

    async def save(version: int, **changes: Any) -> None:
        await update_document(
            actor=user_actor(w.owner), document_id=doc_id, version=version, changes=changes, **where
        )

    # An autosave of the text alone is no news to the tree; a new title is.
    await save(1, content=doc({"type": "paragraph", "content": [text("Draft")]}))
    assert await _tree_news(ws.id) == [{}]
    await save(2, title="Team handbook")
    assert len(await _tree_news(ws.id)) == 2
    # A new review status shows in the tree, and so does a restore that renames.
    await submit_review(actor=user_actor(w.owner), document_id=doc_id, reviewer_id=None, **where)
    assert len(await _tree_news(ws.id)) == 3
    await restore_version(actor=user_actor(w.owner), document_id=doc_id, version=1, **where)
    assert len(await _tree_news(ws.id)) == 4
    # A project's document is news to its workspace, with nothing a non-member may not see.
    await w.document("Secret plan", scope_type="project", project_id=str(w.board.project.id))
    assert len(await _tree_news(ws.id)) == 5
    await delete_document(actor=user_actor(w.owner), document_id=doc_id, **where)
    assert await _tree_news(ws.id) == [{}] * 6


async def test_an_organization_document_is_news_to_every_workspace_of_the_organization(
    db: str,
) -> None:
    w = await build_world()
    other = await Workspace.create(
        org_id=w.board.org.id, name="Ops", slug="ops", owner_id=w.owner.id
    )
    elsewhere = await build_world("Else ")
    await w.document("Values", scope_type="organization")
    assert await _tree_news(w.board.workspace.id) == [{}]
    assert await _tree_news(other.id) == [{}]
    assert await _tree_news(elsewhere.board.workspace.id) == []
