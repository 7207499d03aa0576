// Joining a room by code and name: used on the start page and inside a room opened
// from a shared link. A guest's token is kept for that room's code.
import { api } from "../api.js";
import { session } from "../session.js";
import { attempt, field, h } from "../ui.js";

export const CODE_PATTERN = "[A-HJ-NP-Za-hj-np-z2-9]{6}";

/**
 * @param {object} opts
 * @param {string} [opts.code]       a known code (the field is then not shown)
 * @param {(code: string) => void} opts.onJoined
 * @param {string} [opts.headingLevel] "h1" or "h2"
 */
export function joinForm({ code, onJoined, headingLevel = "h2" }) {
  const user = session.user();
  const codeInput = h("input", {
    type: "text", name: "code", required: true, minlength: 6, maxlength: 6, pattern: CODE_PATTERN,
    autocomplete: "off", autocapitalize: "characters", spellcheck: "false", class: "code-input",
    placeholder: "ABC234", title: "Six letters and digits, as the moderator shared them",
  });
  const name = h("input", {
    type: "text", name: "name", maxlength: 100, autocomplete: "nickname",
    required: !user, value: user ? user.name || "" : "",
  });
  const spectator = h("input", { type: "checkbox", name: "spectator" });
  const form = h("form", { class: "panel join", "aria-labelledby": "join-title", onsubmit: async (e) => {
    e.preventDefault();
    const target = (code || codeInput.value).trim().toUpperCase();
    const body = { spectator: spectator.checked };
    if (name.value.trim()) body.name = name.value.trim();
    const data = await attempt(() => api("POST", `/sessions/${encodeURIComponent(target)}/join`, body), { busy: form });
    if (!data) return;
    if (data.token) session.setGuest(target, { token: data.token, participant: data.participant });
    onJoined(target);
  } },
  h(headingLevel, { id: "join-title" }, code ? `Join room ${code}` : "Join a room"),
  code ? null : field("Room code", codeInput, "Six characters, from the moderator"),
  field("Your name", name, user ? "Leave as is to use your account's name" : "As the others will see it"),
  h("label", { class: "check" }, spectator, " Join as a spectator (watch, don't vote)"),
  h("button", { type: "submit", class: "primary" }, "Join"));
  return form;
}
