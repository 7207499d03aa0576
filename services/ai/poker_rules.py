"""The built-in rules of the poker helpers, one per task. Each reads only its context:
the story's text, the owner's earlier revealed stories ranked alike, the revealed
votes, the session's analytics."""

from __future__ import annotations

from typing import Any

from services.ai import story_rules
from services.ai import text as t
from services.ai.builtin import rule
from services.ai.poker_schemas import (
    Accuracy,
    DraftContext,
    DraftedStory,
    EstimateAdvice,
    EstimationReport,
    OutlierStory,
    RevotedStory,
    SessionContext,
    SessionSummary,
    SimilarRef,
    SimilarStory,
    StoryAnalysis,
    StoryContext,
    StoryDrafts,
    StoryFields,
    StoryImprovement,
    StorySplit,
)
from services.poker.decks import NON_ESTIMATES
from services.poker.reference import rank, tokens

ANALYZE, DRAFT, IMPROVE, CRITERIA = "analyze_story", "draft_stories", "improve_story", "criteria"
SPLIT, ESTIMATE, SUMMARY, REPORT = "split_story", "estimate_story", "summary", "report"
# Share of re-voted stories, and average agreement, past which the report says so.
REVOTE_SHARE, LOW_AVERAGE_AGREEMENT = 25, 60


def _refs(similar: list[SimilarStory], limit: int = 5) -> list[SimilarRef]:
    return [
        SimilarRef(title=t.fit(s.title, 500), final_estimate=s.final_estimate, score=s.score)
        for s in similar[:limit]
        if s.score > 0
    ]


@rule(ANALYZE)
def analyze(context: StoryContext) -> StoryAnalysis:
    """Check the story against INVEST, list its issues (no user role, no acceptance criteria,
    too long, several 'and's, vague words) and the questions to ask; list the similar
    earlier stories given."""
    found = story_rules.issues(context.story)
    similar = _refs(context.similar)
    checks = story_rules.invest(context.story, found, len(similar))
    passed = sum(c.ok for c in checks)
    blocking = {"no_acceptance_criteria", "too_short", "too_long"}
    return StoryAnalysis(
        confidence=round(0.5 + 0.05 * passed, 2),
        reasons=[
            f"{passed} of 6 INVEST checks pass",
            f"{len(found)} issues found by the rules over the story's own text",
            f"{len(similar)} earlier revealed stories share its words",
        ],
        ready=not any(i.code in blocking for i in found),
        invest=checks,
        issues=found,
        questions=story_rules.questions(context.story, found),
        similar=similar,
    )


@rule(CRITERIA)
def criteria(context: StoryContext) -> Any:
    """Write acceptance criteria as Given/When/Then from the story's own text and criteria
    lines; acceptance_criteria is the same as one '- Given …, when …, then …' line each."""
    return story_rules.criteria(context.story)


@rule(IMPROVE)
def improve(context: StoryContext) -> StoryImprovement:
    """Propose a clearer version of the whole story (title, description with 'As a …, I want …,
    so that …', acceptance criteria one per line) without inventing scope; list the changes."""
    proposed, changes = story_rules.improved(context)
    story = context.story
    changed = (proposed.title, proposed.description, proposed.acceptance_criteria) != (
        story.title,
        story.description,
        story.acceptance_criteria,
    )
    return StoryImprovement(
        confidence=0.6 if changes else 0.9,
        reasons=["Rewritten by the rules over the story's own text; nothing was invented"]
        if changes
        else ["The story already reads well by the rules"],
        proposed=proposed,
        changes=changes[:12],
        changed=changed,
    )


@rule(SPLIT)
def split(context: StoryContext) -> StorySplit:
    """Split the story into smaller stories that each deliver value (along its conjunctions,
    workflow steps or criteria); no parts when it is small enough."""
    strategy, parts = story_rules.split(context.story)
    said = {
        "conjunctions": "Split along the conjunctions of its title",
        "workflow": "Split along the workflow steps of its description",
        "criteria": "One part per acceptance criterion",
        "none": "It reads as one story: no conjunction, workflow or list of criteria",
    }
    return StorySplit(
        confidence={"conjunctions": 0.7, "workflow": 0.65, "criteria": 0.5, "none": 0.6}[strategy],
        reasons=[said[strategy]],
        strategy=strategy,
        parts=parts,
    )


@rule(DRAFT)
def draft(context: DraftContext) -> StoryDrafts:
    """Draft user stories (title, description, acceptance criteria) from the goal and notes, at
    most max_stories, leaving out those whose title is in existing_titles (list them in
    skipped)."""
    items = _items(context)
    existing = {t.clean(x).lower() for x in context.existing_titles}
    role = t.guess_role(context.notes, context.goal)
    drafts: list[DraftedStory] = []
    skipped: list[str] = []
    for item, criteria_lines in items:
        fields = _drafted(item, criteria_lines, role, context.goal)
        if fields is None:
            continue
        if fields.title.lower() in existing or any(d.story.title == fields.title for d in drafts):
            skipped.append(t.fit(fields.title, 500))
            continue
        if len(drafts) >= context.max_stories:
            break
        drafts.append(
            DraftedStory(
                story=fields, source=t.fit(item, 500), similar=_similar(item, context.similar)
            )
        )
    reasons = [f"{len(drafts)} drafted from the {'notes' if context.notes else 'goal'}"]
    if skipped:
        reasons.append(f"{len(skipped)} left out: already stories of this session")
    if not any(d.story.acceptance_criteria for d in drafts):
        reasons.append("No criteria in the text: ask for them once a story is added")
    return StoryDrafts(
        confidence=0.6 if context.notes else 0.4,
        reasons=reasons,
        drafts=drafts,
        skipped=skipped[:20],
    )


def _items(context: DraftContext) -> list[tuple[str, list[str]]]:
    """(the text of a story, its criteria lines): one per line or sentence of the notes,
    a line ending in ':' heading the indented or bulleted lines below it as its criteria;
    without notes, the goal's parts along its conjunctions."""
    if not context.notes.strip():
        goal = t.clean(context.goal)
        want = t.subject_and_action(t.want_of(goal) or goal)[1]
        parts = t.conjunction_parts(want) or [want]
        return [(p, []) for p in parts]
    items: list[tuple[str, list[str]]] = []
    heading: list[str] | None = None
    for raw in context.notes.splitlines():
        line = t.lines(raw)
        if not line:
            heading = None
            continue
        text = line[0]
        indented = raw[:1].isspace()
        if heading is not None and indented:
            heading.append(t.clean(text))
            continue
        if text.endswith(":"):
            heading = []
            items.append((t.clean(text), heading))
            continue
        heading = None
        if ":" in text and not t.is_user_story_sentence(text):
            head, _, rest = text.partition(":")
            listed = [p for p in (t.clean(x) for x in rest.split(",")) if p]
            items.append((t.clean(head), listed if len(listed) > 1 else [t.clean(rest)]))
            continue
        items.extend((s, []) for s in t.sentences(text))
    return items


def _drafted(item: str, criteria_lines: list[str], role: str, goal: str) -> StoryFields | None:
    """The story drawn from one item of the notes; None when it holds no words."""
    if not t.words(item):
        return None
    if t.is_user_story_sentence(item):
        title = t.upper_first(t.want_of(item) or t.clean(item))
        description = t.clean(item) + "."
    else:
        subject, action = t.subject_and_action(item)
        title = t.upper_first(action)
        guessed = subject or t.guess_role(item)
        own_role = guessed if guessed != "user" else role
        description = f"As {t.a_role(own_role)}, I want {t.want_clause(action)}."
    if goal.strip() and t.clean(goal).lower() != t.clean(item).lower():
        description += f"\n\nGoal: {t.clean(goal)}"
    criteria = "\n".join(f"- {t.upper_first(c)}" for c in criteria_lines if c)
    title = t.fit(t.shorten(title, 16), 500) or t.fit(t.shorten(item, 16), 500)
    if not title:
        return None
    return StoryFields(
        title=title,
        description=t.fit(description, 5000),
        acceptance_criteria=t.fit(criteria, 5000),
    )


def _similar(item: str, pool: list[SimilarStory]) -> list[SimilarRef]:
    query = tokens(item)
    if not query or not pool:
        return []
    ranked = rank(query, [(s.title, s.description, "") for s in pool], 3)
    return [
        SimilarRef(
            title=t.fit(pool[i].title, 500),
            final_estimate=pool[i].final_estimate,
            score=round(max(score, 0.0), 3),
        )
        for i, score in ranked
        if score > 0
    ]


@rule(ESTIMATE)
def estimate(context: StoryContext) -> EstimateAdvice:
    """Suggest a range of cards of the deck (low, likely, high) from the similar earlier
    stories and, once revealed, the votes; give the reasons."""
    cards = [c for c in context.deck if c not in NON_ESTIMATES]
    place = {c: i for i, c in enumerate(cards)}
    similar = [s for s in context.similar if s.final_estimate in place and s.score > 0][:5]
    reasons: list[str] = []
    low = likely = high = None
    confidence = 0.1
    if similar:
        positions = sorted(place[s.final_estimate] for s in similar[:3])
        weighted = _weighted_median([(place[s.final_estimate], s.score) for s in similar])
        low, likely, high = cards[positions[0]], cards[weighted], cards[positions[-1]]
        agree = positions[-1] - positions[0] <= 1
        confidence = min(0.3 + 0.1 * len(similar[:3]) + (0.15 if agree else 0), 0.75)
        reasons.append(
            f"{len(similar)} earlier stories alike, estimated "
            + ", ".join(f"{s.final_estimate} ('{t.shorten(s.title, 6)}')" for s in similar[:3])
        )
    revealed = context.revealed
    counted = [v for v in (revealed.values if revealed else []) if v in place]
    if counted:
        spots = sorted(place[v] for v in counted)
        final = revealed.final_estimate if revealed and revealed.final_estimate in place else None
        vote_likely = final or cards[spots[len(spots) // 2]]
        agreement = (revealed.agreement if revealed else None) or 0
        reasons.append(
            f"{len(counted)} revealed votes from {cards[spots[0]]} to {cards[spots[-1]]}, "
            f"{agreement}% on {vote_likely}"
        )
        vote_confidence = 0.35 + 0.5 * agreement / 100
        if likely is not None and abs(place[likely] - place[vote_likely]) <= 1:
            reasons.append("The votes agree with the earlier stories")
            vote_confidence += 0.1
        lows = [spots[0]] + ([place[likely]] if likely else [])
        highs = [spots[-1]] + ([place[likely]] if likely else [])
        low, high = cards[min(lows)], cards[max(highs)]
        likely = vote_likely
        confidence = min(max(confidence, vote_confidence), 0.95)
    elif context.status != "revealed":
        reasons.append("The votes stay hidden until the reveal; ask again once revealed")
    if not similar and not counted:
        reasons.append("No earlier revealed story shares words with this one")
    basis = "both" if similar and counted else "similar_stories" if similar else "votes"
    return EstimateAdvice(
        confidence=round(confidence, 2),
        reasons=reasons,
        low=low,
        likely=likely,
        high=high,
        basis=basis if (similar or counted) else "none",
        votes_considered=bool(counted),
        similar=_refs(similar),
    )


def _weighted_median(points: list[tuple[int, float]]) -> int:
    ordered = sorted(points)
    half = sum(w for _, w in ordered) / 2
    seen = 0.0
    for position, weight in ordered:
        seen += weight
        if seen >= half:
            return position
    return ordered[-1][0]


def _rows(context: SessionContext) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = context.analytics
    return data.get("totals") or {}, list(data.get("stories") or [])


@rule(SUMMARY)
def summary(context: SessionContext) -> SessionSummary:
    """Summarise the estimation session from its analytics: a headline, highlights, stories
    needing attention and next steps."""
    totals, stories = _rows(context)
    estimated = [s for s in stories if s.get("status") == "revealed"]
    pending = [s for s in stories if s.get("status") != "revealed"]
    headline = f"{len(estimated)} of {len(stories)} stories estimated"
    if totals.get("average_agreement") is not None:
        headline += f", {totals['average_agreement']}% agreement on average"
    highlights = []
    if totals.get("consensus"):
        highlights.append(f"{totals['consensus']} stories reached full consensus")
    if totals.get("median_estimate") is not None:
        highlights.append(f"Median estimate {totals['median_estimate']}")
    if totals.get("median_seconds") is not None:
        highlights.append(f"A story took {_duration(totals['median_seconds'])} (median)")
    distribution = context.analytics.get("distribution") or []
    if distribution:
        common = max(distribution, key=lambda d: d["count"])
        highlights.append(f"Most common estimate: {common['value']} ({common['count']} stories)")
    attention = []
    for s in estimated:
        title = t.shorten(s["title"], 10)
        if s.get("low_agreement"):
            attention.append(f"'{title}' ({s['final_estimate']}): only {s['agreement']}% agreed")
        elif s.get("outliers"):
            values = ", ".join(o["value"] for o in s["outliers"])
            attention.append(f"'{title}' ({s['final_estimate']}): outlying votes {values}")
        elif s.get("final_estimate") is None:
            attention.append(f"'{title}': revealed with no estimate ('?' or coffee only)")
    next_steps = []
    if pending:
        next_steps.append(
            f"{len(pending)} stories left: "
            + ", ".join(f"'{t.shorten(s['title'], 6)}'" for s in pending[:3])
        )
    if attention:
        next_steps.append("Talk through the stories with low agreement or outliers")
    if totals.get("revoted"):
        next_steps.append(
            f"{totals['revoted']} stories needed a re-vote: refine such stories first"
        )
    if not stories:
        next_steps.append("Add stories to estimate")
    return SessionSummary(
        confidence=0.9 if estimated else 0.5,
        reasons=["Built from the session's own numbers (its analytics)"],
        headline=t.fit(headline, 500),
        highlights=[t.fit(h, 500) for h in highlights][:10],
        attention=[t.fit(a, 500) for a in attention][:10],
        next_steps=[t.fit(n, 500) for n in next_steps][:10],
    )


def _duration(seconds: int) -> str:
    return f"{seconds} s" if seconds < 120 else f"{round(seconds / 60)} min"


def report_facts(
    context: SessionContext,
) -> tuple[Accuracy, list[RevotedStory], list[OutlierStory]]:
    """What the session's numbers say, the same whoever words the recommendations."""
    totals, stories = _rows(context)
    accuracy = Accuracy(
        estimated=totals.get("estimated", 0),
        consensus=totals.get("consensus", 0),
        consensus_rate=totals.get("consensus_rate"),
        average_agreement=totals.get("average_agreement"),
        low_agreement=totals.get("low_agreement", 0),
    )
    revoted = [
        RevotedStory(
            title=t.fit(s["title"], 500),
            rounds=s["rounds"],
            estimates=[h["final_estimate"] or "—" for h in s.get("history") or []][-20:],
        )
        for s in stories
        if s.get("rounds", 1) > 1
    ][:100]
    outliers = [
        OutlierStory(
            title=t.fit(s["title"], 500),
            final_estimate=s.get("final_estimate"),
            values=[o["value"] for o in s["outliers"]][:100],
        )
        for s in stories
        if s.get("outliers")
    ][:100]
    return accuracy, revoted, outliers


@rule(REPORT)
def report(context: SessionContext) -> EstimationReport:
    """Report on the session's estimation: accuracy of consensus, stories re-voted, outliers,
    and recommendations for the team."""
    accuracy, revoted, outliers = report_facts(context)
    totals, stories = _rows(context)
    advice = []
    estimated = accuracy.estimated
    if not estimated:
        advice.append("Reveal a few stories first: there is nothing to report on yet")
    if estimated and 100 * len(revoted) / estimated >= REVOTE_SHARE:
        advice.append(
            f"{len(revoted)} of {estimated} stories needed a re-vote: "
            "refine stories (criteria, scope) before the meeting"
        )
    if (
        accuracy.average_agreement is not None
        and accuracy.average_agreement < LOW_AVERAGE_AGREEMENT
    ):
        advice.append(
            f"Agreement averages {accuracy.average_agreement}%: agree on reference stories "
            "for a few sizes and compare against them"
        )
    if outliers:
        advice.append(
            f"{len(outliers)} stories had outlying votes: let the outliers speak first, "
            "they often know a risk"
        )
    if totals.get("without_estimate"):
        advice.append(
            f"{totals['without_estimate']} stories got only '?' or coffee: clarify them "
            "with the product owner"
        )
    big = [s for s in stories if s.get("std") and s.get("average") and s["std"] > s["average"]]
    if big:
        advice.append(f"{len(big)} stories spread widely: consider splitting them")
    if estimated and not advice:
        advice.append("Estimates converge well: keep the current way of refining stories")
    return EstimationReport(
        confidence=0.9 if estimated >= 3 else 0.6 if estimated else 0.3,
        reasons=[f"Over {estimated} revealed stories of the session's analytics"],
        accuracy=accuracy,
        revoted=revoted,
        outliers=outliers,
        recommendations=[t.fit(a, 500) for a in advice][:10],
    )
