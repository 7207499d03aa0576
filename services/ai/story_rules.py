"""Built-in rules over one story's text: INVEST checks, Given/When/Then criteria drawn
from its sentences and criteria lines, a better-formed version, and splits along its
conjunctions, workflow steps or criteria."""

from __future__ import annotations

from services.ai import text as t
from services.ai.poker_schemas import (
    AcceptanceCriteria,
    Criterion,
    InvestCheck,
    Issue,
    StoryContext,
    StoryFields,
    StoryText,
)

# A title longer than this many words, or a description longer than this, is too big
# to estimate well.
TITLE_WORDS, DESCRIPTION_WORDS = 12, 150
# Fewer words than this in the whole story leaves too much to guess.
TOO_FEW_WORDS = 8
MAX_CRITERIA = 12
LONG_TEXT = 5000


def whole(story: StoryText) -> str:
    return "\n".join((story.title, story.description, story.acceptance_criteria))


def issues(story: StoryText) -> list[Issue]:
    """What keeps a story from being ready to estimate, one issue per rule."""
    found: list[Issue] = []
    text = whole(story)
    if t.role_of(f"{story.title}\n{story.description}") is None:
        found.append(
            Issue(code="no_user_role", message="No user role: say who wants it (As a …, I want …)")
        )
    elif t.benefit_of(story.description) is None:
        found.append(Issue(code="no_benefit", message="No benefit: add so that … to say why"))
    if not t.lines(story.acceptance_criteria):
        found.append(
            Issue(code="no_acceptance_criteria", message="No acceptance criteria: how is it done?")
        )
    title_words = len(t.words(story.title))
    description_words = len(t.words(story.description))
    if title_words > TITLE_WORDS or description_words > DESCRIPTION_WORDS:
        found.append(
            Issue(
                code="too_long",
                message=f"Long: {title_words} words of title, {description_words} of "
                "description; it may hold more than one story",
            )
        )
    ands = t.count_ands(story.title) + t.count_ands(story.description)
    if t.count_ands(story.title) >= 1 or ands >= 3:
        found.append(
            Issue(
                code="several_ands",
                message=f"{ands} 'and's: each may be a story of its own",
            )
        )
    vague = t.vague_words(text)
    if vague:
        found.append(
            Issue(
                code="vague_words",
                message="Vague words: " + ", ".join(vague) + "; say how it is measured",
            )
        )
    if len(t.words(text)) < TOO_FEW_WORDS:
        found.append(Issue(code="too_short", message="Very little text: add what it is for"))
    return found


def invest(story: StoryText, found: list[Issue], similar: int) -> list[InvestCheck]:
    codes = {i.code for i in found}
    return [
        InvestCheck(
            criterion="independent",
            ok="several_ands" not in codes,
            note="Does one thing"
            if "several_ands" not in codes
            else "Joins several things with 'and'",
        ),
        InvestCheck(
            criterion="negotiable",
            ok="vague_words" not in codes,
            note="Says what, leaves how open"
            if "vague_words" not in codes
            else "Vague words leave the scope open to argument",
        ),
        InvestCheck(
            criterion="valuable",
            ok=not codes & {"no_user_role", "no_benefit"},
            note="Names who wants it and why"
            if not codes & {"no_user_role", "no_benefit"}
            else "Does not say who wants it or why",
        ),
        InvestCheck(
            criterion="estimable",
            ok="too_short" not in codes,
            note=(
                f"{similar} earlier stories alike to compare with"
                if similar
                else "Enough text to estimate; no earlier story alike"
            )
            if "too_short" not in codes
            else "Too little to go on",
        ),
        InvestCheck(
            criterion="small",
            ok=not codes & {"too_long", "several_ands"},
            note="Small enough for one estimate"
            if not codes & {"too_long", "several_ands"}
            else "Large: consider splitting it",
        ),
        InvestCheck(
            criterion="testable",
            ok="no_acceptance_criteria" not in codes,
            note="Has acceptance criteria"
            if "no_acceptance_criteria" not in codes
            else "No acceptance criteria to test against",
        ),
    ]


def questions(story: StoryText, found: list[Issue]) -> list[str]:
    asked = []
    codes = {i.code for i in found}
    if "no_user_role" in codes:
        asked.append("Who needs this, and what do they do today instead?")
    if "no_benefit" in codes:
        asked.append("What does it make possible once done?")
    if "no_acceptance_criteria" in codes:
        asked.append("How will we know it works: what would a demo show?")
    for word in t.vague_words(whole(story))[:4]:
        asked.append(f"What does '{word}' mean here, in a number or an example?")
    if "several_ands" in codes:
        asked.append("Could each part joined by 'and' ship on its own?")
    return asked[:10]


def _action(story: StoryText) -> str:
    wanted = t.want_of(story.description) or t.want_of(story.title)
    return t.lower_first(wanted or t.clean(story.title))


def criteria(story: StoryText) -> AcceptanceCriteria:
    """Given/When/Then criteria from the story's own criteria lines, else its
    description's sentences, else its benefit."""
    role = t.guess_role(story.title, story.description)
    action = _action(story)
    given = f"I am {t.a_role(role)}"
    drawn_from = "criteria lines"
    sources = t.lines(story.acceptance_criteria)
    if not sources:
        drawn_from = "description"
        sources = [s for s in t.sentences(story.description) if not t.is_user_story_sentence(s)]
    if not sources:
        benefit = t.benefit_of(story.description)
        drawn_from = "benefit" if benefit else "title"
        sources = [benefit] if benefit else [f"{t.clean(story.title)} is done and I can see it"]
    # "I want a reset link": the action is asking for it.
    when = f"I {action}" if t.starts_with_verb(action) else f"I ask for {action}"
    made: list[Criterion] = []
    for line in sources[:MAX_CRITERIA]:
        parts = t.given_when_then(line)
        if parts is None:
            when_then = t.when_then(line)
            if when_then:
                parts = (given, when_then[0], when_then[1])
            else:
                outcome = t.lower_first(t.clean(line))
                if t.starts_with_verb(outcome):
                    outcome = f"I can {outcome}"
                parts = (given, when, outcome)
        made.append(Criterion(given=_cap(parts[0]), when=_cap(parts[1]), then=_cap(parts[2])))
    text = "\n".join(f"- Given {c.given}, when {c.when}, then {c.then}" for c in made)
    confidence = {"criteria lines": 0.8, "description": 0.6, "benefit": 0.4, "title": 0.2}
    reasons = [f"Drawn from the story's {drawn_from} ({len(made)} criteria)"]
    if role == "user" and t.role_of(whole(story)) is None:
        reasons.append("No role named: 'user' stands in")
    return AcceptanceCriteria(
        confidence=confidence[drawn_from],
        reasons=reasons,
        criteria=made,
        acceptance_criteria=t.fit(text, LONG_TEXT),
    )


def _cap(text: str) -> str:
    return t.fit(t.clean(text), 500) or "—"


def improved(context: StoryContext) -> tuple[StoryFields, list[str]]:
    """The story reworded by the rules: a user-story sentence when it has none, bullets
    for its criteria (drafted when missing), vague words called out."""
    story = context.story
    changes: list[str] = []
    title = t.upper_first(t.clean(story.title)) or story.title
    if title != story.title:
        changes.append("Title tidied: capital first letter, no trailing punctuation")
    description = story.description.strip()
    if t.role_of(f"{story.title}\n{description}") is None:
        role = t.guess_role(story.title, description)
        opening = f"As {t.a_role(role)}, I want {t.want_clause(story.title)}."
        description = f"{opening}\n\n{description}" if description else opening
        changes.append(f"Opened with a user story sentence naming a role ({role})")
    vague = t.vague_words(whole(story))
    if vague:
        description += "\n\nTo clarify: " + ", ".join(f"'{w}'" for w in vague) + " (how much?)"
        changes.append("Vague words listed to be made measurable: " + ", ".join(vague))
    bullets = t.lines(story.acceptance_criteria)
    if bullets:
        acceptance = "\n".join(f"- {t.clean(b)}" for b in bullets)
        if acceptance != story.acceptance_criteria.strip():
            changes.append("Acceptance criteria written one per line")
    else:
        acceptance = criteria(story).acceptance_criteria
        changes.append("Acceptance criteria drafted as Given/When/Then from the story's text")
    return (
        StoryFields(
            title=t.fit(title, 500),
            description=t.fit(description, LONG_TEXT),
            acceptance_criteria=t.fit(acceptance, LONG_TEXT),
        ),
        changes,
    )


def split(story: StoryText) -> tuple[str, list[StoryFields]]:
    """Parts along the title's conjunctions, else the workflow steps of its description,
    else its criteria lines (three or more); none when it reads as one story."""
    role = t.guess_role(story.title, story.description)
    benefit = t.benefit_of(story.description)
    criteria_lines = t.lines(story.acceptance_criteria)

    def part(title: str, criteria_text: str) -> StoryFields:
        wanted = f"As {t.a_role(role)}, I want {t.want_clause(title)}"
        wanted += f" so that {benefit}." if benefit else "."
        return StoryFields(
            title=t.fit(t.upper_first(t.clean(title)), 500),
            description=t.fit(f"{wanted}\n\nSplit from: {t.clean(story.title)}", LONG_TEXT),
            acceptance_criteria=t.fit(criteria_text, LONG_TEXT),
        )

    def parts(pieces: list[str]) -> list[StoryFields]:
        """A part per piece, each with the criteria that share a word with it alone;
        criteria matching no piece stay with the first, the main flow."""
        pieces = pieces[:8]
        own = [t.stems(p) - set().union(*(t.stems(q) for q in pieces if q != p)) for p in pieces]
        picked: list[list[str]] = [[] for _ in pieces]
        for line in criteria_lines:
            found = [i for i, mine in enumerate(own) if mine & t.stems(line)]
            for i in found or [0]:
                picked[i].append(f"- {line}")
        return [part(p, "\n".join(c)) for p, c in zip(pieces, picked, strict=True)]

    pieces = t.conjunction_parts(story.title)
    if pieces:
        return "conjunctions", parts(pieces)
    steps = t.workflow_steps(story.description)
    if steps:
        return "workflow", parts(steps)
    if len(criteria_lines) >= 3:
        base = t.clean(story.title)
        return "criteria", [
            part(f"{base}: {t.shorten(c, 8)}", f"- {c}") for c in criteria_lines[:8]
        ]
    return "none", []
