// Who is here: avatars with initials at the top of the board, and the
// "Ann is viewing" line shown on a card face and in the drawer.
import { clear, h } from "../ui.js";

export function initials(name) {
  const words = String(name || "?").replace(/@.*/, "").split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

const HUES = [230, 262, 190, 160, 20, 330, 45, 290, 200, 0];

export function hue(id) {
  let n = 0;
  for (const ch of String(id || "")) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  return HUES[n % HUES.length] + ((n >>> 4) % 3) * 12;
}

export function avatar(name, id, { size = "sm", title } = {}) {
  return h("span", {
    class: `avatar avatar-${size}`,
    style: `--hue: ${hue(id)}`,
    title: title || name,
    "aria-hidden": "true",
  }, initials(name));
}

/** The avatars row: everyone connected, with what they are looking at. */
export function renderPresence(box, model, me) {
  clear(box);
  const people = model.presence;
  const list = h("ul", { class: "presence-list", "aria-label": "People on this board" });
  for (const p of people) {
    let what = "online";
    if (p.focus) {
      const card = model.cards.get(p.focus.cardId);
      what = `${p.focus.mode} ${card ? `“${card.title}”` : "a card"}`;
    }
    const label = `${p.name}${p.userId === me ? " (you)" : ""}: ${what}`;
    list.append(h("li", { class: `presence-item${p.focus ? ` is-${p.focus.mode}` : ""}`, title: label },
      avatar(p.name, p.userId, { size: "md", title: label }),
      h("span", { class: "visually-hidden" }, label)));
  }
  box.append(list, h("span", { class: "presence-count muted" },
    people.length === 1 ? "1 here" : `${people.length} here`));
}

/** "Ann is editing", "Ann and Bob are viewing"… or null when nobody else is on the card. */
export function focusText(focused) {
  if (!focused.length) return null;
  const editing = focused.filter((f) => f.mode === "editing").map((f) => f.name);
  const viewing = focused.filter((f) => f.mode !== "editing").map((f) => f.name);
  const part = (names, verb) => names.length === 0 ? null
    : `${names.length === 1 ? names[0] : names.slice(0, -1).join(", ") + " and " + names[names.length - 1]} ${names.length === 1 ? "is" : "are"} ${verb}`;
  return [part(editing, "editing"), part(viewing, "viewing")].filter(Boolean).join("; ");
}
