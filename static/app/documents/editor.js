// The rich-text editor: TipTap with StarterKit, and a toolbar of its commands. Its JSON
// is what the server stores and checks.
import { Editor } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import { h } from "../ui.js";

const BUTTONS = [
  ["Bold", "B", (c) => c.toggleBold(), "bold"],
  ["Italic", "I", (c) => c.toggleItalic(), "italic"],
  ["Strikethrough", "S", (c) => c.toggleStrike(), "strike"],
  ["Inline code", "</>", (c) => c.toggleCode(), "code"],
  ["Heading 1", "H1", (c) => c.toggleHeading({ level: 1 }), ["heading", { level: 1 }]],
  ["Heading 2", "H2", (c) => c.toggleHeading({ level: 2 }), ["heading", { level: 2 }]],
  ["Bullet list", "•", (c) => c.toggleBulletList(), "bulletList"],
  ["Numbered list", "1.", (c) => c.toggleOrderedList(), "orderedList"],
  ["Quote", "❝", (c) => c.toggleBlockquote(), "blockquote"],
  ["Code block", "{ }", (c) => c.toggleCodeBlock(), "codeBlock"],
];

/**
 * @param {object} opts
 * @param {object} opts.content            TipTap JSON
 * @param {boolean} opts.editable
 * @param {() => void} opts.onChange       the person changed the text
 * @param {(focused: boolean) => void} opts.onFocus
 */
export function createEditor({ content, editable, onChange, onFocus }) {
  const surface = h("div", { class: "doc-surface" });
  const toolbar = h("div", { class: "doc-toolbar", role: "toolbar", "aria-label": "Formatting" });
  const editor = new Editor({
    element: surface,
    extensions: [StarterKit.configure({ link: { openOnClick: false } })],
    content,
    editable,
    editorProps: { attributes: { "aria-label": "Document text", role: "textbox", "aria-multiline": "true" } },
    onUpdate: () => onChange(),
    onFocus: () => onFocus(true),
    onBlur: () => onFocus(false),
  });
  const buttons = BUTTONS.map(([label, text, run, active]) => {
    const button = h("button", { type: "button", class: "tool", title: label, "aria-label": label,
      "aria-pressed": "false", onclick: () => run(editor.chain().focus()).run() }, text);
    button.dataset.active = JSON.stringify(active);
    return button;
  });
  toolbar.append(...buttons);
  const refresh = () => {
    for (const b of buttons) {
      const active = JSON.parse(b.dataset.active);
      const on = Array.isArray(active) ? editor.isActive(...active) : editor.isActive(active);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
  };
  editor.on("selectionUpdate", refresh);
  editor.on("transaction", refresh);
  return {
    element: h("div", { class: "doc-editor" }, editable ? toolbar : null, surface),
    json: () => editor.getJSON(),
    /** Show `content` without counting it as the person's change. */
    set(content) {
      editor.commands.setContent(content, { emitUpdate: false });
    },
    destroy: () => editor.destroy(),
  };
}
