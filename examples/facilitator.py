"""A facilitator bot for a planning-poker room: it takes a spectator's seat, reveals the
current story as soon as everyone here has voted, nudges whoever has not voted after a
while, and posts a summary of each revealed round.

It needs moderator rights: run it with a personal access token (scopes poker:read and
poker:write) of the session's owner, or of someone the owner made moderator.

    python examples/facilitator.py --url http://127.0.0.1:8000 --token rtp_... --code ABC123
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from typing import Any

from roundtable_client import CommandError, Event, PokerRoom, Rest

log = logging.getLogger("facilitator")


class Facilitator:
    def __init__(self, room: PokerRoom, *, nudge_after: float) -> None:
        self.room = room
        self.nudge_after = nudge_after
        self._nudge: asyncio.Task[None] | None = None
        self.revealed: list[str] = []
        room.on("story_started", self.round_began)
        room.on("round_restarted", self.round_began)
        room.on("vote_cast", self.vote_arrived)
        room.on("story_revealed", self.summarize)
        room.on_presence(self.people_changed)

    def voters_here(self) -> set[int]:
        """The people online who vote: everyone here but spectators and this bot."""
        me = self.room.me["participant_id"]
        return {
            p["participant_id"]
            for p in self.room.online()
            if p.get("role") != "spectator" and p["participant_id"] != me
        }

    def waiting_on(self) -> set[int]:
        story = self.room.current_story
        if story is None or story["status"] != "voting":
            return set()
        return self.voters_here() - set(story["voted"])

    async def start(self) -> None:
        story = self.room.current_story
        if story is not None and story["status"] == "voting":
            self.plan_nudge()
            await self.reveal_if_done()

    async def round_began(self, event: Event) -> None:
        self.plan_nudge()

    async def vote_arrived(self, event: Event) -> None:
        await self.reveal_if_done()

    async def people_changed(self, presence: dict[str, Any]) -> None:
        # Someone who had not voted left: the others may be all there is.
        await self.reveal_if_done()

    async def reveal_if_done(self) -> None:
        story = self.room.current_story
        if story is None or story["status"] != "voting" or not story["voted"]:
            return
        if self.waiting_on():
            return
        try:
            await self.room.reveal()
            log.info("revealed %r: everyone here voted", story["title"])
        except CommandError as exc:
            # Someone revealed it first, or the round moved on.
            log.info("no reveal: %s", exc.message)

    def plan_nudge(self) -> None:
        if self._nudge is not None:
            self._nudge.cancel()
        self._nudge = asyncio.create_task(self._nudge_later())

    async def _nudge_later(self) -> None:
        story = self.room.current_story
        if story is None:
            return
        await asyncio.sleep(self.nudge_after)
        current = self.room.current_story
        if current is None or current["id"] != story["id"] or current["round"] != story["round"]:
            return
        late = sorted(self.waiting_on())
        if late:
            await self.room.post_notice(
                f"Still thinking? The room is waiting for your vote on “{current['title']}”.",
                to=late,
            )
            log.info("nudged %s", late)

    async def summarize(self, event: Event) -> None:
        if self._nudge is not None:
            self._nudge.cancel()
        story = event.data["story"]
        self.revealed.append(story["id"])
        await self.room.post_notice(summary(story))


def summary(story: dict[str, Any]) -> str:
    """One line on a revealed round: the estimate, the agreement, the range."""
    stats = story.get("stats") or {}
    final = story.get("final_estimate")
    parts = [f"“{story['title']}”: " + (f"estimate {final}" if final else "no estimate")]
    parts.append(f"{stats.get('votes_cast', 0)} votes, {stats.get('agreement', 0)}% agreed")
    if stats.get("min") is not None and stats.get("min") != stats.get("max"):
        parts.append(f"from {stats['min']} to {stats['max']}: worth a word before moving on")
    return "; ".join(parts) + "."


async def run(url: str, token: str, code: str, *, nudge_after: float) -> None:
    async with Rest(url, token) as rest:
        await rest.join(code, spectator=True)
    room = PokerRoom(url, token, code)
    bot = Facilitator(room, nudge_after=nudge_after)
    await room.connect()
    log.info("facilitating %s (%s) as %s", room.session["name"], room.code, room.me["name"])
    await bot.start()
    try:
        await asyncio.Event().wait()
    finally:
        await room.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("ROUNDTABLE_URL", "http://127.0.0.1:8000"))
    parser.add_argument(
        "--token", default=os.environ.get("ROUNDTABLE_TOKEN"), help="or ROUNDTABLE_TOKEN"
    )
    parser.add_argument("--code", required=True, help="the session's join code")
    parser.add_argument(
        "--nudge-after", type=float, default=60.0, help="seconds before a nudge (default 60)"
    )
    args = parser.parse_args()
    if not args.token:
        parser.error("a token is needed: --token or ROUNDTABLE_TOKEN")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.url, args.token, args.code, nudge_after=args.nudge_after))


if __name__ == "__main__":
    main()
