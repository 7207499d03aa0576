"""Reading a story's text: its sentences and criteria lines, the user role and the
want and benefit of an "As a …, I want …, so that …" sentence, vague words, and
conjunctions to split along. Pure functions."""

from __future__ import annotations

import re

_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)]|\[[ xX]?\])\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ROLE = re.compile(r"\bas an?\s+(.+?)(?=\s*,|\s+I\s|\s+we\s|[.;:\n]|$)", re.IGNORECASE)
_WANT = re.compile(
    r"\b(?:I|we)\s+(?:want|need|would like|wish)\s+(?:to\s+|that\s+)?(.+?)"
    r"(?=,?\s+so\s+that\b|,?\s+in\s+order\s+to\b|[.;\n]|$)",
    re.IGNORECASE,
)
_BENEFIT = re.compile(r"\b(?:so\s+that|in\s+order\s+to)\s+(.+?)(?=[.;\n]|$)", re.IGNORECASE)
_GWT = re.compile(
    r"^given\s+(?P<given>.+?),?\s+when\s+(?P<when>.+?),?\s+then\s+(?P<then>.+)$", re.IGNORECASE
)
_WHEN = re.compile(r"^(?:when|if|once|after)\s+(?P<when>.+?),\s*(?:then\s+)?(?P<then>.+)$", re.I)
_CONJUNCTION = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|&|as well as|plus|or)\s+", re.I)
_STEP = re.compile(r"^(?:first|then|next|after that|afterwards|finally|lastly)\b,?\s*", re.I)

VAGUE_WORDS = (
    "fast",
    "quick",
    "quickly",
    "easy",
    "easily",
    "simple",
    "simply",
    "user-friendly",
    "intuitive",
    "etc",
    "robust",
    "seamless",
    "seamlessly",
    "flexible",
    "efficient",
    "better",
    "nice",
    "modern",
    "appropriate",
    "and so on",
    "as needed",
    "if possible",
)
_VAGUE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w in VAGUE_WORDS) + r")(?![\w-])", re.I
)
KNOWN_ROLES = (
    "administrator",
    "admin",
    "customer",
    "shopper",
    "buyer",
    "seller",
    "visitor",
    "manager",
    "developer",
    "accountant",
    "editor",
    "moderator",
    "member",
    "guest",
    "player",
    "student",
    "teacher",
    "patient",
    "driver",
    "user",
)


def lines(text: str) -> list[str]:
    """Non-empty lines without their bullet or number."""
    out = []
    for raw in text.splitlines():
        line = _BULLET.sub("", raw).strip()
        if line:
            out.append(line)
    return out


def sentences(text: str) -> list[str]:
    """Sentences of every line, bullets dropped."""
    out: list[str] = []
    for line in lines(text):
        out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", text)


def clean(text: str) -> str:
    """One line: spaces collapsed, no trailing full stop."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".;:, ").strip()


def lower_first(text: str) -> str:
    """ "Export invoices" → "export invoices"; "PDF export" stays (an acronym)."""
    if len(text) > 1 and text[:2].isalpha() and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def role_of(text: str) -> str | None:
    """The role of "As a <role>, …", if the text names one."""
    found = _ROLE.search(text)
    if not found:
        return None
    role = clean(found.group(1))
    return role if 0 < len(words(role)) <= 6 else None


def guess_role(*texts: str) -> str:
    """The role a text names ("As a …"), else the first known role word it uses."""
    for text in texts:
        named = role_of(text)
        if named:
            return named
    for text in texts:
        for word in words(text):
            found = _singular(word.lower())
            if found in KNOWN_ROLES:
                return found
    return "user"


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def a_role(role: str) -> str:
    """ "a shopper", "an admin"."""
    if role.lower().startswith(("a ", "an ", "the ")):
        return role
    sounds_like_you = role.lower().startswith(("user", "uni", "use", "eu", "one"))
    return ("an " if role[:1].lower() in "aeiou" and not sounds_like_you else "a ") + role


_SUBJECT = re.compile(
    r"^(?:the\s+|our\s+)?(?P<role>[^\W\d_]+?)s?\s+(?:can|could|should|must|will|may|are able to|"
    r"is able to|want to|need to)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
COMMON_VERBS = frozenset(
    [
        "accept",
        "add",
        "allow",
        "approve",
        "archive",
        "assign",
        "attach",
        "book",
        "browse",
        "buy",
        "calculate",
        "cancel",
        "change",
        "check",
        "choose",
        "close",
        "compare",
        "configure",
        "connect",
        "copy",
        "create",
        "delete",
        "deliver",
        "disable",
        "display",
        "download",
        "drag",
        "edit",
        "email",
        "enable",
        "enter",
        "estimate",
        "export",
        "fetch",
        "fill",
        "filter",
        "find",
        "follow",
        "generate",
        "get",
        "hide",
        "import",
        "invite",
        "join",
        "keep",
        "list",
        "load",
        "lock",
        "log",
        "login",
        "manage",
        "mark",
        "merge",
        "move",
        "notify",
        "open",
        "pay",
        "pick",
        "pin",
        "print",
        "publish",
        "rate",
        "read",
        "receive",
        "record",
        "refund",
        "register",
        "reject",
        "remind",
        "remove",
        "rename",
        "reorder",
        "reply",
        "report",
        "request",
        "reset",
        "restore",
        "retry",
        "return",
        "review",
        "save",
        "scan",
        "schedule",
        "search",
        "see",
        "select",
        "send",
        "set",
        "share",
        "show",
        "sign",
        "sort",
        "start",
        "stop",
        "submit",
        "subscribe",
        "switch",
        "sync",
        "tag",
        "track",
        "transfer",
        "undo",
        "unlock",
        "update",
        "upload",
        "use",
        "validate",
        "verify",
        "view",
        "vote",
        "watch",
    ]
)


def subject_and_action(item: str) -> tuple[str | None, str]:
    """ "Admins can refund an order" → ("admin", "refund an order"); otherwise no role
    and the text as it is."""
    found = _SUBJECT.match(clean(item))
    if found and _singular(found["role"].lower()) in KNOWN_ROLES:
        return _singular(found["role"].lower()), clean(found["rest"])
    head, _, rest = clean(item).partition(" ")
    if _singular(head.lower()) in KNOWN_ROLES and starts_with_verb(rest):
        return _singular(head.lower()), rest
    return None, clean(item)


def starts_with_verb(phrase: str) -> bool:
    first = words(phrase)[:1]
    return bool(first) and first[0].lower() in COMMON_VERBS


def want_clause(phrase: str) -> str:
    """ "to search products" for an action, the phrase itself for a thing wanted."""
    phrase = lower_first(clean(phrase))
    return f"to {phrase}" if starts_with_verb(phrase) else phrase


def want_of(text: str) -> str | None:
    found = _WANT.search(text)
    return clean(found.group(1)) if found else None


def benefit_of(text: str) -> str | None:
    found = _BENEFIT.search(text)
    return clean(found.group(1)) if found else None


def vague_words(text: str) -> list[str]:
    """The vague words the text uses, each once, in order."""
    seen: list[str] = []
    for match in _VAGUE.finditer(text):
        word = match.group(1).lower()
        if word not in seen:
            seen.append(word)
    return seen


def count_ands(text: str) -> int:
    return len(re.findall(r"(?<![\w-])(?:and|&)(?![\w-])", text, re.I))


def is_user_story_sentence(sentence: str) -> bool:
    return role_of(sentence) is not None and (want_of(sentence) is not None)


def given_when_then(line: str) -> tuple[str, str, str] | None:
    """A criterion already written as Given … When … Then …, in its three parts."""
    found = _GWT.match(clean(line))
    if not found:
        return None
    return (clean(found["given"]), clean(found["when"]), clean(found["then"]))


def when_then(line: str) -> tuple[str, str] | None:
    """A criterion written as "When/If …, …"."""
    found = _WHEN.match(clean(line))
    return (clean(found["when"]), clean(found["then"])) if found else None


def conjunction_parts(title: str) -> list[str]:
    """ "Search and filter products" → ["Search products", "Filter products"]: the title
    split along its conjunctions, a bare verb taking the object of the last part."""
    parts = [clean(p) for p in _CONJUNCTION.split(clean(title)) if words(clean(p))]
    if len(parts) < 2:
        return []
    tail = []
    for word in clean(parts[-1]).split()[1:]:
        if word.lower() in _PREPOSITIONS:
            break
        tail.append(word)
    out = []
    for part in parts:
        if len(words(part)) == 1 and tail and part is not parts[-1]:
            part = part + " " + " ".join(tail)
        out.append(upper_first(part))
    return out if len({p.lower() for p in out}) == len(out) else []


_PREPOSITIONS = frozenset(
    ["to", "in", "on", "for", "by", "from", "with", "into", "at", "of", "about", "as", "via"]
)


def workflow_steps(text: str) -> list[str]:
    """Steps of a workflow: numbered lines, or sentences opened by first / then / next /
    finally; at least two, else none."""
    numbered = [
        clean(_BULLET.sub("", raw)) for raw in text.splitlines() if re.match(r"^\s*\d+[.)]", raw)
    ]
    numbered = [step for step in numbered if words(step)]
    if len(numbered) >= 2:
        return numbered
    marked = [upper_first(clean(_STEP.sub("", s))) for s in sentences(text) if _STEP.match(s)]
    marked = [step for step in marked if words(step)]
    return marked if len(marked) >= 2 else []


def stems(text: str) -> set[str]:
    """Words of four letters or more, by their first four: "saved" meets "save"."""
    return {w.lower()[:4] for w in words(text) if len(w) >= 4}


def shorten(text: str, max_words: int) -> str:
    parts = clean(text).split()
    return " ".join(parts[:max_words]) + ("…" if len(parts) > max_words else "")


def fit(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a line or a word when it must be cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at = max(cut.rfind("\n"), cut.rfind(" "))
    return (cut[:at] if at > limit // 2 else cut).rstrip() + "…"
