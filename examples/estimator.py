"""An estimator bot for a planning-poker room: it takes a seat and, on each new story,
votes the final estimate of the most similar earlier story, as the room's reference
stories rank them. With nothing similar it votes "?". Its vote stays hidden until the
reveal, like everyone's.

Run it with a personal access token (scopes poker:read and poker:write) of the account
it votes as; reference stories come from the session owner's earlier sessions.

    python examples/estimator.py --url http://127.0.0.1:8000 --token rtp_... --code ABC123
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from typing import Any

from roundtable_client import CommandError, Event, PokerRoom, Rest

log = logging.getLogger("estimator")
UNSURE = "?"


class Estimator:
    def __init__(self, room: PokerRoom, rest: Rest) -> None:
        self.room = room
        self.rest = rest
        self.votes: dict[str, str] = {}
        room.on("story_started", self.story_began)
        room.on("round_restarted", self.story_began)

    async def start(self) -> None:
        await self.vote_on_current()

    async def story_began(self, event: Event) -> None:
        await self.vote_on_current()

    async def vote_on_current(self) -> None:
        story = self.room.current_story
        if story is None or story["status"] != "voting":
            return
        if self.room.me["participant_id"] in story["voted"]:
            return
        value, why = await self.estimate(story)
        try:
            await self.room.cast_vote(value)
        except CommandError as exc:
            log.info("could not vote on %r: %s", story["title"], exc.message)
            return
        self.votes[story["id"]] = value
        log.info("voted %s on %r (%s)", value, story["title"], why)

    async def estimate(self, story: dict[str, Any]) -> tuple[str, str]:
        deck = self.room.session["deck"]
        try:
            references = await self.rest.reference_stories(self.room.code, limit=5)
        except CommandError as exc:
            log.info("no reference stories: %s", exc.message)
            references = []
        for ref in references:
            if ref.get("final_estimate") in deck:
                return ref["final_estimate"], f"like “{ref['title']}”"
        fallback = UNSURE if UNSURE in deck else deck[len(deck) // 2]
        return fallback, "nothing similar estimated before"


async def run(url: str, token: str, code: str) -> None:
    async with Rest(url, token) as rest:
        room = PokerRoom(url, token, code)
        bot = Estimator(room, rest)
        await room.connect()
        log.info("estimating in %s (%s) as %s", room.session["name"], room.code, room.me["name"])
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
    args = parser.parse_args()
    if not args.token:
        parser.error("a token is needed: --token or ROUNDTABLE_TOKEN")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.url, args.token, args.code))


if __name__ == "__main__":
    main()
