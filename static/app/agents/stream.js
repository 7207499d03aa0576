// A mission's progress stream, read with fetch (it carries the bearer token, which
// EventSource cannot): each event is handed over as it arrives, and a dropped or closed
// stream is opened again with the last id seen, so no step is lost or shown twice.
import { session } from "../session.js";

function parse(block) {
  const fields = {};
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const at = line.indexOf(":");
    const key = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
    fields[key] = fields[key] === undefined ? value : `${fields[key]}\n${value}`;
  }
  return fields;
}

/** Follow `path` (without /api); `onEvent(step)` for each step, `onClose()` once it is
 * over. Returns a stop function. */
export function follow(path, onEvent, { finished = () => false, onClose = () => {} } = {}) {
  let lastId = "";
  let stopped = false;
  const controller = { current: null };

  async function once() {
    const abort = new AbortController();
    controller.current = abort;
    const headers = { Authorization: `Bearer ${session.token()}` };
    if (lastId) headers["Last-Event-ID"] = lastId;
    const res = await fetch(`/api${path}`, { headers, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`The progress stream answered ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const fields = parse(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (fields.data === undefined) continue;
        if (fields.id) lastId = fields.id;
        onEvent(JSON.parse(fields.data));
      }
    }
  }

  (async () => {
    while (!stopped && !finished()) {
      try {
        await once();
      } catch (err) {
        if (stopped) return;
      }
      if (!stopped && !finished()) await new Promise((r) => setTimeout(r, 1000));
    }
    onClose();
  })();

  return () => {
    stopped = true;
    if (controller.current) controller.current.abort();
  };
}
