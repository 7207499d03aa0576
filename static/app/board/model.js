// The board as this screen knows it: columns, live cards, members and presence.
//
// The server is the truth. A snapshot replaces everything; each logged event carries
// whole cards (or whole column lists), so applying it is a plain upsert, except a move,
// which names only what changed. Cards sort by (position, id) inside their column,
// compared code unit by code unit like the server.

function byPositionThenId(a, b) {
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

export class BoardModel {
  constructor() {
    this.project = null;
    this.columns = new Map();
    this.cards = new Map();
    this.members = [];
    this.presence = [];
    // The project's labels and scopes, read over REST and kept live by events.
    this.labels = [];
    this.scopes = [];
    // When each card last arrived in its column, as far as the board's log tells:
    // cardId -> {columnId, at, seq}. Feeds the cycle time in the Stats view.
    this.arrivals = new Map();
  }

  load(state) {
    this.project = state.project;
    this.columns = new Map(state.columns.map((c) => [c.id, c]));
    this.cards = new Map();
    for (const card of state.cards) if (!card.archived) this.cards.set(card.id, card);
    this.members = state.members || [];
    if (state.presence) this.setPresence(state.presence);
  }

  setPresence(presence) {
    this.presence = (presence && presence.members) || [];
  }

  columnsSorted() {
    return [...this.columns.values()].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
  }

  cardsIn(columnId) {
    return [...this.cards.values()].filter((c) => c.columnId === columnId).sort(byPositionThenId);
  }

  member(userId) {
    return this.members.find((m) => m.userId === userId) || null;
  }

  /** Who (other than `me`) focuses on a card: [{name, mode}]. */
  focusOn(cardId, me) {
    return this.presence
      .filter((p) => p.userId !== me && p.focus && p.focus.cardId === cardId)
      .map((p) => ({ name: p.name, mode: p.focus.mode, userId: p.userId }));
  }

  /** Insert or replace a card unless we already hold a newer version of it. */
  upsertCard(card) {
    if (!card) return;
    if (card.archived) {
      this.cards.delete(card.id);
      return;
    }
    const known = this.cards.get(card.id);
    if (known && known.version > card.version) return;
    this.cards.set(card.id, card);
  }

  /** Apply a move (its event, or the mover's answer) unless we already hold a newer version. */
  moveCard(move) {
    const card = this.cards.get(move.cardId);
    if (!card || card.version >= move.version) return;
    const { columnId, position, version, updatedAt } = move;
    this.cards.set(card.id, { ...card, columnId, position, version, updatedAt });
  }

  replaceColumns(list) {
    if (!list) return;
    this.columns = new Map(list.map((c) => [c.id, c]));
  }

  #patchCard(cardId, patch) {
    const card = this.cards.get(cardId);
    if (card) this.cards.set(cardId, { ...card, ...patch(card) });
  }

  /** Remember when a card changed column (a move, or a PATCH that moved it). */
  noteArrival(event) {
    const d = event.data || {};
    let cardId = null;
    let columnId = null;
    if (event.type === "card_moved" && d.fromColumnId && d.fromColumnId !== d.columnId) {
      cardId = d.cardId;
      columnId = d.columnId;
    } else if (event.type === "card_updated" && d.fromColumnId && d.card && d.fromColumnId !== d.card.columnId) {
      cardId = d.card.id;
      columnId = d.card.columnId;
    }
    if (!cardId || !event.at) return;
    const known = this.arrivals.get(cardId);
    if (known && known.seq >= event.seq) return;
    this.arrivals.set(cardId, { columnId, at: event.at, seq: event.seq });
  }

  setLabels(list) {
    this.labels = [...list].sort((a, b) => a.name.localeCompare(b.name));
  }

  setScopes(list) {
    this.scopes = [...list].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
  }

  /** Apply one logged event; returns true when the board needs drawing again. */
  apply(event) {
    const d = event.data || {};
    this.noteArrival(event);
    switch (event.type) {
      case "card_created":
      case "card_updated":
      case "card_restored":
        this.upsertCard(d.card);
        return true;
      case "card_moved":
        this.moveCard(d);
        return true;
      case "card_archived":
        if (d.card) this.cards.delete(d.card.id);
        return true;
      case "card_deleted":
        this.cards.delete(d.cardId);
        return true;
      case "column_renumbered":
        for (const { id, position } of d.positions || []) {
          this.#patchCard(id, () => ({ position }));
        }
        return true;
      case "column_created":
        this.columns.set(d.column.id, d.column);
        return true;
      case "column_updated":
        if (d.columns) this.replaceColumns(d.columns);
        else if (d.column) this.columns.set(d.column.id, d.column);
        return true;
      case "column_deleted":
        if (d.columns) this.replaceColumns(d.columns);
        else if (d.column) this.columns.delete(d.column.id);
        return true;
      case "comment_added":
        this.#patchCard(d.cardId, (c) => ({ commentCount: (c.commentCount || 0) + 1 }));
        return true;
      case "comment_deleted":
        this.#patchCard(d.cardId, (c) => ({ commentCount: Math.max(0, (c.commentCount || 0) - 1) }));
        return true;
      case "attachment_added":
        this.#patchCard(d.cardId, (c) => ({ attachmentCount: (c.attachmentCount || 0) + 1 }));
        return true;
      case "attachment_deleted":
        this.#patchCard(d.cardId, (c) => ({ attachmentCount: Math.max(0, (c.attachmentCount || 0) - 1) }));
        return true;
      case "card_labels_changed":
        this.#patchCard(d.cardId, () => ({ labels: d.labels || [] }));
        return true;
      case "label_created":
        if (d.label) this.setLabels([...this.labels.filter((l) => l.id !== d.label.id), d.label]);
        return true;
      case "scope_created":
      case "scope_updated":
        if (d.scope) this.setScopes([...this.scopes.filter((s) => s.id !== d.scope.id), d.scope]);
        return true;
      case "scope_deleted":
        if (d.scope) this.scopes = this.scopes.filter((s) => s.id !== d.scope.id);
        for (const id of d.columnIds || []) this.columns.delete(id);
        for (const id of d.cardIds || []) this.cards.delete(id);
        return true;
      case "label_updated":
        if (d.label) this.setLabels([...this.labels.filter((l) => l.id !== d.label.id), d.label]);
        for (const card of this.cards.values()) {
          if (card.labels.some((l) => l.id === d.label.id)) {
            this.#patchCard(card.id, (c) => ({
              labels: c.labels.map((l) => (l.id === d.label.id ? { id: l.id, name: d.label.name, color: d.label.color } : l)),
            }));
          }
        }
        return true;
      case "label_deleted":
        this.labels = this.labels.filter((l) => l.id !== d.label.id);
        for (const id of d.cardIds || []) {
          this.#patchCard(id, (c) => ({ labels: c.labels.filter((l) => l.id !== d.label.id) }));
        }
        return true;
      case "checklist_item_added":
      case "checklist_item_updated":
      case "checklist_item_deleted":
        this.#patchCard(d.cardId, (c) => {
          let items = (c.checklist || []).filter((i) => i.id !== d.item.id);
          if (event.type !== "checklist_item_deleted") items = [...items, d.item];
          items.sort((a, b) => a.order - b.order);
          return { checklist: items, checklistProgress: d.progress };
        });
        return true;
      case "member_added":
        if (d.member && !this.member(d.member.userId)) {
          this.members = [...this.members, d.member].sort((a, b) => a.name.localeCompare(b.name));
        }
        return true;
      case "member_removed":
        this.members = this.members.filter((m) => m.userId !== d.userId);
        return true;
      case "project_updated":
        if (d.project) this.project = { ...this.project, ...d.project };
        return true;
      default:
        return false;
    }
  }
}
