// Small DOM helpers shared by every view.

/** Build an element: h("button", {class: "x", onclick: f}, "Label", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Show a message for a few seconds; errors stay until dismissed. */
export function toast(message, kind = "info") {
  const region = document.getElementById("toasts");
  const close = h("button", { class: "link", "aria-label": "Dismiss" }, "×");
  const item = h("div", { class: `toast toast-${kind}` }, h("span", {}, message), close);
  close.addEventListener("click", () => item.remove());
  region.append(item);
  if (kind !== "error") setTimeout(() => item.remove(), 4000);
  return item;
}

/** Run an action, showing the server's error message if it fails. */
export async function attempt(action, { busy } = {}) {
  if (busy) busy.setAttribute("aria-busy", "true");
  try {
    return await action();
  } catch (err) {
    toast(err.message || String(err), "error");
    return undefined;
  } finally {
    if (busy) busy.removeAttribute("aria-busy");
  }
}

export function mount(view) {
  const main = clear(document.getElementById("main"));
  main.append(view);
  return main;
}

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("small", { class: "muted" }, hint) : null);
}
