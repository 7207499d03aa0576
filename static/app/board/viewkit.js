// What the List, Calendar, Roadmap and Stats views share: redrawing without losing the
// keyboard's place, and the names of things as a person reads them.
import { h } from "../ui.js";

// Mouse and touch events drive a drag (rather than native HTML5 drag and drop): the
// same code path on every browser, and a ghost that follows the pointer.
export const SORTABLE_COMMON = {
  animation: 150,
  forceFallback: true,
  fallbackTolerance: 3,
  delay: 120,
  delayOnTouchOnly: true,
  scroll: true,
  bubbleScroll: true,
};

/**
 * Replace a view's content, then give focus back to the element of the same `data-key`
 * (a sort button, a card's button): views redraw on every live change.
 */
export function redraw(container, ...children) {
  const active = document.activeElement;
  const key = active && container.contains(active) && active.dataset ? active.dataset.key : null;
  container.replaceChildren(...children);
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
}

export const PRIORITY_RANK = { high: 3, medium: 2, low: 1 };
export const PRIORITY_TEXT = { high: "High", medium: "Medium", low: "Low" };

export function assigneeName(model, card) {
  if (!card.assigneeId) return "";
  const who = model.member(card.assigneeId);
  return who ? who.name : "Former member";
}

export function columnName(model, card) {
  const col = model.columns.get(card.columnId);
  return col ? col.name : "";
}

/** "2026-12-03" for a date-time, read as a UTC day like the card faces. */
export function dayKey(iso) {
  return iso ? new Date(iso).toISOString().slice(0, 10) : "";
}

export function longDay(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

/** A card shown as a button that opens the drawer. */
export function cardButton(card, onOpen, { key, className = "view-card", label } = {}) {
  const button = h("button", { type: "button", class: className, "aria-label": label,
    dataset: { key: key || `card-${card.id}`, cardId: card.id } },
  h("span", { class: "view-card-title" }, card.title));
  button.addEventListener("click", () => onOpen(card.id, button));
  return button;
}

export function emptyNote(text) {
  return h("p", { class: "muted view-empty" }, text);
}
