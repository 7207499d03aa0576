// A workspace's agents: everyone in the workspace sees them; workspace admins add,
// change and remove them (their mode, tools and rate limits).
import { api } from "../api.js";
import { attempt, clear, field, h, mount, toast } from "../ui.js";

const MODES = [
  ["supervised", "Supervised: each change is proposed, one at a time"],
  ["approval", "Approval: all changes proposed together at the end"],
  ["autonomous", "Autonomous: changes are made directly"],
];
const DEFAULT_TOOLS = ["get_card", "search_cards", "add_checklist_item", "add_comment"];

async function toolNames() {
  const spec = await fetch("/api/openapi.json").then((r) => r.json());
  const schema = spec.components?.schemas?.AgentCreate?.properties?.tools?.items;
  return (schema && schema.enum) || DEFAULT_TOOLS;
}

export async function agentsPage(org, ws) {
  const base = `/orgs/${encodeURIComponent(org)}/workspaces/${encodeURIComponent(ws)}`;
  const list = h("ul", { id: "agent-list", class: "agent-list" });
  const name = h("input", { required: true, maxlength: 100 });
  const slug = h("input", { required: true, maxlength: 60, pattern: "[a-z0-9](?:[a-z0-9\\-]{0,58}[a-z0-9])?" });
  const mode = h("select", {}, MODES.map(([v, label]) => h("option", { value: v }, label)));
  const perMinute = h("input", { type: "number", min: 1, max: 1000, value: 30 });
  const perDay = h("input", { type: "number", min: 1, max: 10000, value: 50 });
  const tools = h("fieldset", { class: "agent-tools" }, h("legend", {}, "Tools it may use"));
  const save = h("button", { type: "submit", class: "primary" }, "Add agent");
  const form = h("form", { id: "agent-form", class: "card-form" },
    h("h2", {}, "New agent"),
    field("Name", name), field("Slug", slug, "Lowercase letters, digits and dashes"),
    field("Autonomy", mode), tools,
    h("div", { class: "field-row" }, field("Tool calls per minute", perMinute), field("Missions per day", perDay)),
    save);
  name.addEventListener("input", () => {
    if (!slug.dataset.touched) slug.value = name.value.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
  });
  slug.addEventListener("input", () => { slug.dataset.touched = "1"; });

  mount(h("section", { class: "agents-page" },
    h("p", {}, h("a", { href: "/b" }, "← Boards")),
    h("h1", {}, `Agents of ${ws}`),
    h("p", { class: "muted" }, "Start a mission from a card's drawer with “Ask an agent”."),
    list, form));

  for (const tool of await toolNames()) {
    const box = h("input", { type: "checkbox", value: tool, checked: DEFAULT_TOOLS.includes(tool) });
    tools.append(h("label", { class: "check" }, box, ` ${tool}`));
  }

  async function draw() {
    const agents = await attempt(() => api("GET", `${base}/agents`));
    if (!agents) return;
    clear(list);
    if (!agents.length) list.append(h("li", { class: "muted" }, "No agents yet."));
    for (const a of agents) {
      list.append(h("li", { dataset: { id: a.id } },
        h("strong", {}, a.name), ` (${a.slug}) · ${a.autonomyMode} · ${a.tools.join(", ") || "no tools"}`,
        ` · ${a.callsPerMinute}/min, ${a.missionsPerDay}/day `,
        h("button", { type: "button", class: "link danger-link", "aria-label": `Delete ${a.name}`,
          onclick: (e) => attempt(async () => {
            await api("DELETE", `${base}/agents/${a.id}`);
            toast(`${a.name} deleted`);
            await draw();
          }, { busy: e.currentTarget }) }, "Delete")));
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = [...tools.querySelectorAll("input:checked")].map((b) => b.value);
    const made = await attempt(() => api("POST", `${base}/agents`, {
      name: name.value, slug: slug.value, autonomyMode: mode.value, tools: chosen,
      callsPerMinute: Number(perMinute.value), missionsPerDay: Number(perDay.value),
    }), { busy: save });
    if (!made) return;
    toast(`${made.name} added`);
    name.value = ""; slug.value = ""; delete slug.dataset.touched;
    await draw();
  });
  await draw();
}
