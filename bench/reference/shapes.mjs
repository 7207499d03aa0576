// What the reference servers send for a command: an event and an ack shaped as
// Roundtable's, with the same keys and values of the same kinds and lengths, so that
// every server puts messages of the same size on the wire for the same load and the
// load generator decodes the same work from each.
//
//   vote_cast    event {story_id, participant_id, votes_cast}
//                ack   {vote: {id, story_id, participant_id, value},
//                       stats: {votes_cast, total_participants, all_voted}, revealed}
//   card_moved   event and ack {cardId, fromColumnId, columnId, position, afterId,
//                       beforeId, version, updatedAt}
//
// A poker guest acts as {id: its seat's number, name, kind: "guest"}; a board's owner
// as {id: a UUID, name, kind: "user"}. `story_revealed` and `round_restarted` carry
// the command's own payload: Roundtable's carry the whole story, which the reference
// does not model.

const STORY = "3f6c1e2a-8b4d-4c7e-9a15-2d0b7f3e6a91";
const OWNER = "0b7e5d1c-6a3f-4f55-9a43-2f0c8e1d9b77";
const ROOM_SIZE = 10;

// A seat number for each socket id, as Roundtable numbers a session's participants.
const seats = new Map();
function seat(socketId) {
  let found = seats.get(socketId);
  if (found === undefined) {
    found = 100000 + seats.size;
    seats.set(socketId, found);
  }
  return found;
}

// The event's data, the ack's data and the actor, for command data `data` that made
// event `type` at `seq` in a room.
export function shaped(type, data, seq, socketId) {
  // Microseconds, as Roundtable writes its times.
  const at = new Date().toISOString().replace("Z", "000Z");
  if (type === "vote_cast") {
    const me = seat(socketId);
    const cast = (seq % ROOM_SIZE) + 1;
    return {
      event: { story_id: STORY, participant_id: me, votes_cast: cast },
      ack: {
        vote: { id: seq, story_id: STORY, participant_id: me, value: data?.value ?? null },
        stats: { votes_cast: cast, total_participants: ROOM_SIZE, all_voted: cast >= ROOM_SIZE },
        revealed: null,
      },
      actor: { id: String(me), name: `G${me % ROOM_SIZE}`, kind: "guest" },
      at,
    };
  }
  if (type === "card_moved") {
    const moved = {
      cardId: data?.card_id ?? null,
      fromColumnId: data?.column_id ?? null,
      columnId: data?.column_id ?? null,
      position: "a0V",
      afterId: null,
      beforeId: data?.before_id ?? null,
      version: seq,
      updatedAt: at,
    };
    return { event: moved, ack: moved, actor: { id: OWNER, name: "Bench Owner", kind: "user" }, at };
  }
  return { event: data, ack: data, actor: { id: String(socketId), name: "bench", kind: "guest" }, at };
}
