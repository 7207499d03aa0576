// The rule editor: a trigger with its options, conditions (a list of tests matched all or
// any, or the JSON of the conditions language for nested groups), actions, on or off.
import { field, h } from "../ui.js";

export const TRIGGERS = {
  task_moved: "A card is moved",
  task_created: "A card is created",
  task_added_to_board: "A card is added to the board (created or restored)",
  checklist_complete: "A card's checklist is complete",
  due_date_reached: "A card's due date comes",
  task_status_changed: "A card's status changes (open, done, archived)",
  task_assigned: "A card is assigned",
};

export const ACTIONS = {
  move_to_column: "Move to column",
  assign: "Assign to",
  add_label: "Add label",
  remove_label: "Remove label",
  set_priority: "Set priority",
  set_due_date: "Set due date",
  add_comment: "Add comment",
  notify: "Notify",
  call_webhook: "Call a webhook",
};

// Each field of the conditions language and the operators it takes (docs/automations.md).
const FIELDS = {
  column: ["eq", "ne"],
  label: ["has", "lacks", "is_set", "is_empty"],
  assignee: ["eq", "ne", "is_set", "is_empty"],
  priority: ["eq", "ne", "is_set", "is_empty"],
  title: ["contains", "not_contains", "eq", "ne"],
  description: ["contains", "not_contains", "is_set", "is_empty"],
  dueDate: ["before", "after", "is_set", "is_empty"],
  estimate: ["eq", "ne", "is_set", "is_empty"],
  checklistProgress: ["gte", "lte", "gt", "lt", "eq", "ne"],
};
const FIELD_NAMES = {
  column: "Column", label: "Label", assignee: "Assignee", priority: "Priority", title: "Title",
  description: "Description", dueDate: "Due date", estimate: "Estimate", checklistProgress: "Checklist %",
};
const OPS = {
  eq: "is", ne: "is not", has: "has", lacks: "lacks", is_set: "is set", is_empty: "is empty",
  contains: "contains", not_contains: "does not contain", before: "before", after: "after",
  gt: ">", gte: "≥", lt: "<", lte: "≤",
};
const STATUSES = ["open", "done", "archived"];
const PRIORITIES = ["low", "medium", "high"];

function select(options, value, attrs = {}) {
  const el = h("select", attrs, options.map(([v, label]) => h("option", { value: v }, label)));
  el.value = value ?? options[0][0];
  return el;
}

/** Whether the builder can show these conditions: none, one test, or all/any of tests. */
function simple(tree) {
  if (!tree) return true;
  const leaf = (n) => n && n.field && FIELDS[n.field] && FIELDS[n.field].includes(n.op);
  if (leaf(tree)) return true;
  const list = tree.all || tree.any;
  return Array.isArray(list) && Object.keys(tree).length === 1 && list.every(leaf);
}

export class RuleEditor {
  /** ctx: {columns, labels, members}; rule: an existing rule or null; onSave(body), onCancel(). */
  constructor(ctx, rule, { onSave, onCancel }) {
    this.ctx = ctx;
    this.onSave = onSave;
    const r = rule || { name: "", enabled: true, trigger: { type: "task_moved" }, conditions: null, actions: [{ type: "add_comment", text: "" }] };
    this.name = h("input", { type: "text", id: "rule-name", maxlength: 100, required: true, value: r.name });
    this.enabled = h("input", { type: "checkbox", id: "rule-enabled", checked: r.enabled });
    this.trigger = select(Object.entries(TRIGGERS), r.trigger.type, { id: "rule-trigger" });
    this.triggerOptions = h("div", { class: "rule-options" });
    this.trigger.addEventListener("change", () => this.renderTriggerOptions({}));
    this.match = select([["all", "all of these"], ["any", "any of these"]], r.conditions && r.conditions.any ? "any" : "all", { id: "rule-match", "aria-label": "Match" });
    this.tests = h("ol", { class: "rule-tests" });
    this.json = h("textarea", { id: "rule-conditions-json", rows: 8, spellcheck: "false", "aria-label": "Conditions as JSON" });
    this.jsonMode = !simple(r.conditions);
    this.actions = h("ol", { class: "rule-actions", id: "rule-actions" });
    const addTest = h("button", { type: "button", id: "add-condition", onclick: () => this.addTest() }, "+ Add condition");
    const addAction = h("button", { type: "button", id: "add-action", onclick: () => this.addAction({ type: "add_comment", text: "" }) }, "+ Add action");
    this.modeButton = h("button", { type: "button", class: "link", onclick: () => this.toggleMode() });
    this.builder = h("div", {}, h("p", {}, "Run only when the card matches ", this.match, ":"), this.tests, addTest);
    this.jsonBox = h("div", {}, this.json, h("small", { class: "muted" },
      "Tests are {\"field\", \"op\", \"value\"}; groups are {\"all\": […]}, {\"any\": […]} and {\"not\": …}. Empty: always."));
    this.form = h("form", { class: "panel rule-editor", id: "rule-editor", "aria-labelledby": "rule-editor-title",
      onsubmit: (e) => { e.preventDefault(); this.submit(); } },
    h("h2", { id: "rule-editor-title" }, rule ? `Edit “${rule.name}”` : "New rule"),
    field("Name", this.name),
    h("label", { class: "check" }, this.enabled, " Enabled"),
    h("fieldset", {}, h("legend", {}, "When"), field("Trigger", this.trigger), this.triggerOptions),
    h("fieldset", {}, h("legend", {}, "If"), this.builder, this.jsonBox, this.modeButton),
    h("fieldset", {}, h("legend", {}, "Then"), this.actions, addAction),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "primary", id: "rule-save" }, "Save rule"),
      h("button", { type: "button", onclick: () => onCancel() }, "Cancel")));
    this.renderTriggerOptions(r.trigger);
    if (this.jsonMode) this.json.value = r.conditions ? JSON.stringify(r.conditions, null, 2) : "";
    else {
      const list = !r.conditions ? [] : r.conditions.field ? [r.conditions] : (r.conditions.all || r.conditions.any);
      for (const t of list) this.addTest(t);
    }
    for (const a of r.actions) this.addAction(a);
    this.showMode();
  }

  columnOptions(any) {
    const list = this.ctx.columns.map((c) => [c.id, c.name]);
    return any ? [["", "any column"], ...list] : list;
  }

  memberOptions() {
    return this.ctx.members.map((m) => [m.userId, m.name || m.email]);
  }

  renderTriggerOptions(values) {
    const type = this.trigger.value;
    const parts = [];
    this.optionInputs = {};
    const add = (name, label, el) => { this.optionInputs[name] = el; parts.push(field(label, el)); };
    if (type === "task_moved") {
      add("fromColumnId", "From", select(this.columnOptions(true), values.fromColumnId || "", { id: "trigger-from" }));
      add("toColumnId", "To", select(this.columnOptions(true), values.toColumnId || "", { id: "trigger-to" }));
    } else if (type === "task_created" || type === "task_added_to_board") {
      add("columnId", "In column", select(this.columnOptions(true), values.columnId || "", { id: "trigger-column" }));
    } else if (type === "task_status_changed") {
      const statuses = [["", "any status"], ...STATUSES.map((s) => [s, s])];
      add("from", "From", select(statuses, values.from || "", { id: "trigger-from" }));
      add("to", "To", select(statuses, values.to || "", { id: "trigger-to" }));
    } else if (type === "task_assigned") {
      add("userId", "To", select([["", "anyone"], ...this.memberOptions()], values.userId || "", { id: "trigger-user" }));
    }
    this.triggerOptions.replaceChildren(...parts);
  }

  valueControl(fieldName, op, value) {
    if (op === "is_set" || op === "is_empty") return null;
    if (fieldName === "column") return select(this.columnOptions(false), value);
    if (fieldName === "label") return select(this.ctx.labels.map((l) => [l.id, l.name]), value);
    if (fieldName === "assignee") return select(this.memberOptions(), value);
    if (fieldName === "priority") return select(PRIORITIES.map((p) => [p, p]), value);
    if (fieldName === "dueDate") return h("input", { type: "date", value: (value || "").slice(0, 10), required: true });
    if (fieldName === "checklistProgress") return h("input", { type: "number", min: 0, max: 100, value: value ?? 100, required: true });
    return h("input", { type: "text", maxlength: fieldName === "estimate" ? 20 : 200, value: value || "", required: true });
  }

  addTest(test = { field: "column", op: "eq" }) {
    const row = h("li", { class: "rule-row" });
    const fieldSel = select(Object.entries(FIELD_NAMES), test.field, { "aria-label": "Field" });
    const opSlot = h("span");
    const valueSlot = h("span");
    const draw = (op, value) => {
      const ops = FIELDS[fieldSel.value];
      const opSel = select(ops.map((o) => [o, OPS[o]]), ops.includes(op) ? op : ops[0], { "aria-label": "Operator" });
      const control = () => { row.valueInput = this.valueControl(fieldSel.value, opSel.value, value); valueSlot.replaceChildren(row.valueInput || ""); };
      opSel.addEventListener("change", control);
      row.opSel = opSel;
      opSlot.replaceChildren(opSel);
      control();
    };
    fieldSel.addEventListener("change", () => draw(null, undefined));
    row.fieldSel = fieldSel;
    draw(test.op, test.value);
    row.append(fieldSel, opSlot, valueSlot, h("button", { type: "button", class: "link", "aria-label": "Remove condition", onclick: () => row.remove() }, "×"));
    this.tests.append(row);
  }

  addAction(action) {
    const row = h("li", { class: "rule-row" });
    const typeSel = select(Object.entries(ACTIONS), action.type, { "aria-label": "Action" });
    const slot = h("span", { class: "rule-params" });
    const draw = (a) => {
      const t = typeSel.value;
      let inputs = {};
      if (t === "move_to_column") inputs = { columnId: select(this.columnOptions(false), a.columnId) };
      else if (t === "assign") inputs = { userId: select([["", "nobody"], ...this.memberOptions()], a.userId || "") };
      else if (t === "add_label" || t === "remove_label") inputs = { labelId: select(this.ctx.labels.map((l) => [l.id, l.name]), a.labelId) };
      else if (t === "set_priority") inputs = { priority: select([["", "none"], ...PRIORITIES.map((p) => [p, p])], a.priority || "") };
      else if (t === "set_due_date") inputs = { inDays: h("input", { type: "number", min: 0, max: 3650, value: a.inDays ?? 1, "aria-label": "Days from now" }) };
      else if (t === "add_comment") inputs = { text: h("input", { type: "text", maxlength: 2000, required: true, value: a.text || "", "aria-label": "Comment" }) };
      else if (t === "notify") {
        inputs = {
          to: select([["assignee", "the assignee"], ["creator", "the creator"], ...this.memberOptions()], (a.to || ["assignee"])[0], { "aria-label": "Who" }),
          message: h("input", { type: "text", maxlength: 500, required: true, value: a.message || "", "aria-label": "Message" }),
        };
      } else if (t === "call_webhook") inputs = { url: h("input", { type: "url", maxlength: 2000, required: true, value: a.url || "", placeholder: "https://…", "aria-label": "URL" }) };
      row.inputs = inputs;
      slot.replaceChildren(...Object.values(inputs));
    };
    typeSel.addEventListener("change", () => draw({}));
    row.typeSel = typeSel;
    draw(action);
    row.append(typeSel, slot, h("button", { type: "button", class: "link", "aria-label": "Remove action", onclick: () => row.remove() }, "×"));
    this.actions.append(row);
  }

  showMode() {
    this.builder.hidden = this.jsonMode;
    this.jsonBox.hidden = !this.jsonMode;
    this.modeButton.textContent = this.jsonMode ? "Use the simple editor" : "Edit the conditions as JSON (nested groups)";
  }

  toggleMode() {
    if (this.jsonMode) {
      let tree = null;
      try { tree = this.json.value.trim() ? JSON.parse(this.json.value) : null; } catch { tree = undefined; }
      if (tree === undefined || !simple(tree)) return;
      this.tests.replaceChildren();
      const list = !tree ? [] : tree.field ? [tree] : (tree.all || tree.any);
      if (tree && tree.any) this.match.value = "any";
      for (const t of list) this.addTest(t);
    } else {
      const tree = this.builtConditions();
      this.json.value = tree ? JSON.stringify(tree, null, 2) : "";
    }
    this.jsonMode = !this.jsonMode;
    this.showMode();
  }

  builtConditions() {
    const tests = [...this.tests.children].map((row) => {
      const test = { field: row.fieldSel.value, op: row.opSel.value };
      const input = row.valueInput;
      if (input) test.value = input.type === "number" ? Number(input.value) : input.value;
      return test;
    });
    return tests.length ? { [this.match.value]: tests } : null;
  }

  body() {
    const trigger = { type: this.trigger.value };
    for (const [name, el] of Object.entries(this.optionInputs)) if (el.value) trigger[name] = el.value;
    let conditions = this.builtConditions();
    if (this.jsonMode) {
      const text = this.json.value.trim();
      conditions = text ? JSON.parse(text) : null; // a syntax error is reported by the caller
    }
    const actions = [...this.actions.children].map((row) => {
      const action = { type: row.typeSel.value };
      for (const [name, el] of Object.entries(row.inputs)) {
        if (name === "inDays") action.inDays = el.value === "" ? null : Number(el.value);
        else if (name === "to") action.to = [el.value];
        else action[name] = el.value === "" && ["userId", "priority"].includes(name) ? null : el.value;
      }
      return action;
    });
    return { name: this.name.value.trim(), enabled: this.enabled.checked, trigger, conditions, actions };
  }

  submit() {
    let body;
    try { body = this.body(); } catch (err) { this.onSave(null, `The conditions are not valid JSON: ${err.message}`); return; }
    this.onSave(body);
  }
}
