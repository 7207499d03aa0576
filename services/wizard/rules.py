"""The wizard's built-in rules for readiness: deterministic, from the draft's own text.

Which topics a description covers, the questions for the rest, and a readiness score
from coverage and the answers' substance. No network, no randomness: the same draft
gives the same result. The roadmap's rules are in roadmap_rules.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The topics a plan needs, with their weight in the readiness score (they add up to 100).
TOPICS: dict[str, int] = {
    "goal": 20,
    "users": 15,
    "scope": 20,
    "success": 15,
    "deadline": 10,
    "constraints": 10,
    "risks": 10,
}
# A roadmap can be generated from this readiness on.
READY_AT = 60
# At most this many questions at a time, the heaviest missing topics first.
QUESTIONS_AT_ONCE = 3
# What the text alone earns a topic it mentions; an answer earns the rest.
_FROM_TEXT = 0.6
_SUBSTANTIAL_WORDS = 5

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "goal": (
        "goal",
        "aim",
        "objective",
        "purpose",
        "mission",
        "vision",
        "we want to",
        "in order to",
        "so that",
        "problem",
        "why",
    ),
    "users": (
        "user",
        "customer",
        "client",
        "team",
        "persona",
        "audience",
        "people",
        "staff",
        "member",
        "student",
        "patient",
        "visitor",
        "developer",
        "admin",
    ),
    "scope": (
        "feature",
        "scope",
        "include",
        "must",
        "should",
        "will",
        "support",
        "allow",
        "able to",
        "can ",
        "mvp",
        "build",
        "functionality",
        "page",
        "screen",
        "api",
    ),
    "success": (
        "success",
        "metric",
        "kpi",
        "measure",
        "target",
        "increase",
        "reduce",
        "%",
        "percent",
        "conversion",
        "adoption",
        "satisfaction",
        "nps",
    ),
    "deadline": (
        "deadline",
        "by ",
        "before",
        "launch",
        "release",
        "date",
        "week",
        "month",
        "quarter",
        "q1",
        "q2",
        "q3",
        "q4",
        "sprint",
        "timeline",
        "due",
    ),
    "constraints": (
        "constraint",
        "budget",
        "limit",
        "compliance",
        "gdpr",
        "legal",
        "must not",
        "cannot",
        "only",
        "technology",
        "stack",
        "existing",
        "legacy",
        "security",
    ),
    "risks": (
        "risk",
        "concern",
        "uncertain",
        "unknown",
        "depend",
        "dependency",
        "might",
        "may fail",
        "worry",
        "blocker",
        "assumption",
        "challenge",
    ),
}

_QUESTIONS: dict[str, tuple[str, str, str]] = {
    # topic: (question when missing, question when only touched on, why it matters)
    "goal": (
        "What is the project's goal: what problem does it solve, and for whom?",
        "Your description hints at a goal; can you state it in one or two sentences?",
        "The goal decides what the first phase must prove.",
    ),
    "users": (
        "Who will use the result, and what do they need most from it?",
        "You mention some users; which kinds of users matter most, and what do they need?",
        "Knowing the users turns features into deliverables someone can accept.",
    ),
    "scope": (
        "What must the first version include? List the main features, one per line.",
        "Which features are in the first version, and which can wait? One per line.",
        "Each feature becomes a deliverable of the build phase.",
    ),
    "success": (
        "How will you know it worked? Name a measure and a target.",
        "Which measure, with which target, will tell you the project succeeded?",
        "Success measures become the acceptance hints of the launch.",
    ),
    "deadline": (
        "Is there a deadline or a key date?",
        "Which date matters most, and is it fixed or a wish?",
        "A date tells how much fits in each phase.",
    ),
    "constraints": (
        "What constraints apply: budget, team, technology, compliance?",
        "Which constraint is the hardest to move?",
        "Constraints shape the discovery work.",
    ),
    "risks": (
        "What could go wrong, or what are you unsure about?",
        "Which risk worries you most, and how could you find out early?",
        "Risks to check early become discovery deliverables.",
    ),
}

_DONT_KNOW = re.compile(
    r"^\s*(n/?a|none|no idea|not sure|unsure|unknown|don'?t know|idk|tbd|\?+|-+)\s*\.?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    topic: str
    question: str
    hint: str

    def public(self) -> dict[str, str]:
        return {"topic": self.topic, "question": self.question, "hint": self.hint}


@dataclass(frozen=True)
class Assessment:
    readiness: int
    coverage: dict[str, int]
    questions: list[Question]


@dataclass
class DraftText:
    """What the rules read: the draft's own words and the answers so far."""

    name: str
    description: str
    context: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> str:
        return "\n".join([self.description, *self.context])


def mentions(text: str, topic: str) -> bool:
    lowered = f" {text.lower()} "
    return any(word in lowered for word in _KEYWORDS[topic])


def answer_credit(answer: str | None) -> float:
    """A real answer earns the topic in full, a terse one half, "don't know" nothing."""
    if not answer or _DONT_KNOW.match(answer):
        return 0.0
    return 1.0 if len(answer.split()) >= _SUBSTANTIAL_WORDS else 0.5


def assess(draft: DraftText) -> Assessment:
    coverage: dict[str, int] = {}
    score = 0.0
    body = draft.body
    for topic, weight in TOPICS.items():
        share = (_FROM_TEXT if mentions(body, topic) else 0.0) + answer_credit(
            draft.answers.get(topic)
        )
        share = min(share, 1.0)
        coverage[topic] = round(share * 100)
        score += share * weight
    open_topics = sorted(
        (t for t in TOPICS if coverage[t] < 100), key=lambda t: (coverage[t], -TOPICS[t])
    )
    questions = []
    for topic in open_topics[:QUESTIONS_AT_ONCE]:
        missing, touched, why = _QUESTIONS[topic]
        questions.append(Question(topic, touched if coverage[topic] else missing, why))
    return Assessment(readiness=round(score), coverage=coverage, questions=questions)
