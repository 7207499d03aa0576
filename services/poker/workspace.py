"""An account's poker workspace: the room settings a new session or template starts from.

A room's settings come in layers: what the request sets, then the template it is made
from (if any), then the account's workspace defaults, then the built-in ones. Each
layer is a `RoomSettings`; `merged` puts the next one on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from tortoise.exceptions import IntegrityError

from models import PokerWorkspace, RoomTemplate
from services.actors import Actor
from services.auth import require_user
from services.errors import invalid_field
from services.poker.decks import FIBONACCI, deck_for
from services.poker.stories import MAX_TIMER, MIN_TIMER
from services.timefmt import iso

DEFAULT_TIMER = 60
# What a request may set; `custom_deck_values` becomes the settings' `deck`.
FIELDS = (
    "voting_system",
    "custom_deck_name",
    "custom_deck_values",
    "record_vote_names",
    "async_voting_enabled",
    "auto_reveal",
    "timer_seconds",
)
_PLAIN = ("record_vote_names", "async_voting_enabled", "auto_reveal", "timer_seconds")


@dataclass(frozen=True)
class RoomSettings:
    voting_system: str = "fibonacci"
    custom_deck_name: str | None = None
    deck: tuple[str, ...] = tuple(FIBONACCI)
    record_vote_names: bool = True
    async_voting_enabled: bool = False
    auto_reveal: bool = False
    timer_seconds: int = DEFAULT_TIMER

    @classmethod
    def of(cls, row: PokerWorkspace | RoomTemplate) -> RoomSettings:
        return cls(
            voting_system=row.voting_system,
            custom_deck_name=row.custom_deck_name,
            deck=tuple(row.deck) or tuple(deck_for(row.voting_system, None)),
            record_vote_names=row.record_vote_names,
            async_voting_enabled=row.async_voting_enabled,
            auto_reveal=row.auto_reveal,
            timer_seconds=row.timer_seconds,
        )

    def merged(self, changes: Mapping[str, Any]) -> RoomSettings:
        """These settings with `changes` on top. A field absent or None keeps its value,
        except `custom_deck_name`, which a None present clears. A custom deck keeps its
        cards unless new ones are sent; a deck name belongs to a custom deck only."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise TypeError(f"not room settings: {sorted(unknown)}")
        system = changes.get("voting_system") or self.voting_system
        values = changes.get("custom_deck_values")
        if values is not None and system != "custom":
            raise invalid_field("custom_deck_values", "only a custom deck takes its own cards")
        if changes.get("custom_deck_name") is not None and system != "custom":
            raise invalid_field("custom_deck_name", "only a custom deck has a name")
        if system == "custom" and values is None and self.voting_system == "custom":
            values = list(self.deck)
        deck = tuple(deck_for(system, values))
        if "custom_deck_name" in changes:
            name = changes["custom_deck_name"]
        else:
            name = self.custom_deck_name if self.voting_system == "custom" else None
        timer = changes.get("timer_seconds")
        if timer is not None and not MIN_TIMER <= timer <= MAX_TIMER:
            raise invalid_field(
                "timer_seconds", f"must be between {MIN_TIMER} and {MAX_TIMER} seconds"
            )
        plain = {k: changes[k] for k in _PLAIN if changes.get(k) is not None}
        return replace(
            self,
            voting_system=system,
            deck=deck,
            custom_deck_name=name if system == "custom" else None,
            **plain,
        )

    def columns(self) -> dict[str, Any]:
        """The settings as the columns of a session, workspace or template row."""
        values = asdict(self)
        values["deck"] = list(self.deck)
        return values

    def public(self) -> dict[str, Any]:
        return self.columns()


BUILT_IN = RoomSettings()


async def defaults_for(user_id: Any) -> RoomSettings:
    """The account's defaults: its workspace's, or the built-in ones before any change."""
    row = await PokerWorkspace.filter(owner_id=user_id).first()
    return RoomSettings.of(row) if row is not None else BUILT_IN


def workspace_public(
    settings: RoomSettings, row: PokerWorkspace | None, templates: int
) -> dict[str, Any]:
    return {
        **settings.public(),
        "templates_count": templates,
        "updated_at": iso(row.updated_at) if row is not None else None,
    }


async def _templates_count(user_id: Any) -> int:
    return await RoomTemplate.filter(owner_id=user_id).count()


async def get_workspace(*, actor: Actor) -> dict[str, Any]:
    user_id = require_user(actor)
    row = await PokerWorkspace.filter(owner_id=user_id).first()
    settings = RoomSettings.of(row) if row is not None else BUILT_IN
    return workspace_public(settings, row, await _templates_count(user_id))


async def update_workspace(*, actor: Actor, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change the defaults sent; the workspace row is written on the first change.
    Sending nothing, or only what is already set, writes nothing."""
    user_id = require_user(actor)
    row = await PokerWorkspace.filter(owner_id=user_id).first()
    settings = (RoomSettings.of(row) if row is not None else BUILT_IN).merged(changes)
    if row is None and not changes:
        return workspace_public(settings, None, await _templates_count(user_id))
    if row is None:
        try:
            row = await PokerWorkspace.create(owner_id=user_id, **settings.columns())
            return workspace_public(settings, row, await _templates_count(user_id))
        except IntegrityError:
            # Another first change won the race: apply ours on top of it.
            row = await PokerWorkspace.get(owner_id=user_id)
            settings = RoomSettings.of(row).merged(changes)
    if settings != RoomSettings.of(row):
        # A change to nothing is no change: the row and its updated_at stay.
        row.update_from_dict(settings.columns())
        await row.save()
    return workspace_public(settings, row, await _templates_count(user_id))
