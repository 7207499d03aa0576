"""The built-in rules on real story texts: INVEST checks, Given/When/Then criteria drawn
from the story's own lines, improvements that invent nothing, splits along conjunctions,
workflow steps and criteria, drafts from notes, estimate ranges and session reports."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import ai
from services.ai import poker_rules as tasks
from services.ai.builtin import BuiltinProvider, answer
from services.ai.poker_schemas import (
    AcceptanceCriteria,
    DraftContext,
    EstimateAdvice,
    EstimationReport,
    RevealedVotes,
    SessionContext,
    SessionSummary,
    SimilarStory,
    StoryAnalysis,
    StoryContext,
    StoryDrafts,
    StoryImprovement,
    StorySplit,
    StoryText,
)
from services.ai.provider import S, UnknownTask

FIBONACCI = ["0", "0.5", "1", "2", "3", "5", "8", "13", "20", "40", "100", "?", "coffee"]

WELL_FORMED = StoryText(
    title="Password reset by email",
    description=(
        "As a user who forgot the password, I want a reset link by email so that I can "
        "sign in again."
    ),
    acceptance_criteria=(
        "- The link expires after an hour\n"
        "- A used link is refused\n"
        "- When the address is unknown, the page says the same as for a known one"
    ),
)
ROUGH = StoryText(
    title="Make the dashboard fast and easy to use and add export",
    description="Charts, filters, exports etc. Should be user-friendly.",
)


def _context(story: StoryText, **extra: Any) -> StoryContext:
    return StoryContext(story=story, status="voting", deck=FIBONACCI, **extra)


async def _ask(task: str, context: Any, schema: type[S]) -> S:
    made = await BuiltinProvider().suggest(task, context, schema)
    assert made.provider == "builtin" and 0 <= made.confidence <= 1 and made.reasons
    return made


async def test_a_well_formed_story_passes_invest() -> None:
    found = await _ask(tasks.ANALYZE, _context(WELL_FORMED), StoryAnalysis)
    assert found.issues == [] and found.ready
    assert all(check.ok for check in found.invest)
    assert found.questions == []


async def test_a_rough_story_gets_every_issue_it_has() -> None:
    found = await _ask(tasks.ANALYZE, _context(ROUGH), StoryAnalysis)
    messages = {i.code: i.message for i in found.issues}
    assert set(messages) == {
        "no_user_role",
        "no_acceptance_criteria",
        "several_ands",
        "vague_words",
    }
    assert messages["vague_words"] == (
        "Vague words: fast, easy, etc, user-friendly; say how it is measured"
    )
    assert messages["several_ands"] == "2 'and's: each may be a story of its own"
    assert not found.ready
    failed = {c.criterion for c in found.invest if not c.ok}
    assert failed == {"independent", "negotiable", "valuable", "small", "testable"}
    assert "What does 'fast' mean here, in a number or an example?" in found.questions


async def test_a_long_story_is_too_long() -> None:
    long = StoryText(
        title="As an accountant I want a yearly report",
        description="As an accountant, I want a yearly report so that I can close the books. "
        + "The report lists every invoice of the year with its customer. " * 15,
        acceptance_criteria="- Totals match the ledger",
    )
    found = await _ask(tasks.ANALYZE, _context(long), StoryAnalysis)
    assert [i.code for i in found.issues] == ["too_long"]


async def test_criteria_are_drawn_from_the_story_s_own_lines() -> None:
    made = await _ask(tasks.CRITERIA, _context(WELL_FORMED), AcceptanceCriteria)
    assert [(c.given, c.when, c.then) for c in made.criteria] == [
        (
            "I am a user who forgot the password",
            "I ask for a reset link by email",
            "the link expires after an hour",
        ),
        (
            "I am a user who forgot the password",
            "I ask for a reset link by email",
            "a used link is refused",
        ),
        (
            "I am a user who forgot the password",
            "the address is unknown",
            "the page says the same as for a known one",
        ),
    ]
    assert made.acceptance_criteria.splitlines()[2] == (
        "- Given I am a user who forgot the password, when the address is unknown, then the "
        "page says the same as for a known one"
    )
    assert made.confidence == 0.8


async def test_criteria_without_lines_come_from_the_description() -> None:
    story = StoryText(
        title="Export invoices as PDF",
        description="As an accountant, I want to export a month of invoices as one PDF. "
        "Totals match the invoice list. Credit notes are included.",
    )
    made = await _ask(tasks.CRITERIA, _context(story), AcceptanceCriteria)
    assert made.acceptance_criteria == (
        "- Given I am an accountant, when I export a month of invoices as one PDF, then "
        "totals match the invoice list\n"
        "- Given I am an accountant, when I export a month of invoices as one PDF, then "
        "credit notes are included"
    )
    assert made.reasons == ["Drawn from the story's description (2 criteria)"]


async def test_criteria_already_written_as_given_when_then_are_kept() -> None:
    story = StoryText(
        title="Login",
        acceptance_criteria="Given a locked account, when I sign in, then I see why",
    )
    made = await _ask(tasks.CRITERIA, _context(story), AcceptanceCriteria)
    assert [(c.given, c.when, c.then) for c in made.criteria] == [
        ("a locked account", "I sign in", "I see why")
    ]


async def test_an_improvement_adds_a_role_and_criteria_and_invents_nothing() -> None:
    story = StoryText(
        title="export invoices as PDF.",
        description="Accountants close the month with every invoice in one file.",
    )
    made = await _ask(tasks.IMPROVE, _context(story), StoryImprovement)
    assert made.changed
    assert made.proposed.title == "Export invoices as PDF"
    assert made.proposed.description == (
        "As an accountant, I want to export invoices as PDF.\n\n"
        "Accountants close the month with every invoice in one file."
    )
    assert made.proposed.acceptance_criteria == (
        "- Given I am an accountant, when I export invoices as PDF, then accountants close "
        "the month with every invoice in one file"
    )
    assert len(made.changes) == 3


async def test_a_story_that_reads_well_is_left_as_it_is() -> None:
    made = await _ask(tasks.IMPROVE, _context(WELL_FORMED), StoryImprovement)
    assert not made.changed and made.changes == []
    assert made.proposed.model_dump() == WELL_FORMED.model_dump()


async def test_a_split_along_workflow_steps() -> None:
    story = StoryText(
        title="Onboarding of a new customer",
        description=(
            "1. The customer signs up with an email\n"
            "2. The customer confirms the email\n"
            "3. The customer picks a plan and pays"
        ),
    )
    made = await _ask(tasks.SPLIT, _context(story), StorySplit)
    assert made.strategy == "workflow"
    assert [p.title for p in made.parts] == [
        "The customer signs up with an email",
        "The customer confirms the email",
        "The customer picks a plan and pays",
    ]
    assert made.parts[0].description.startswith("As a customer, I want the customer signs up")


async def test_a_split_along_criteria_and_none_for_a_small_story() -> None:
    story = StoryText(
        title="Team calendar",
        acceptance_criteria="- Shows holidays\n- Shows releases\n- Exports to iCal",
    )
    made = await _ask(tasks.SPLIT, _context(story), StorySplit)
    assert made.strategy == "criteria"
    assert [p.title for p in made.parts] == [
        "Team calendar: Shows holidays",
        "Team calendar: Shows releases",
        "Team calendar: Exports to iCal",
    ]
    one = WELL_FORMED.model_copy(update={"acceptance_criteria": "- The link expires"})
    small = await _ask(tasks.SPLIT, _context(one), StorySplit)
    assert (small.strategy, small.parts) == ("none", [])


async def test_drafts_from_notes_with_a_heading_and_user_stories() -> None:
    notes = (
        "Wishlist:\n"
        "  add a product from its page\n"
        "  share the list by link\n"
        "As a shopper, I want to compare two products so that I pick the right one.\n"
        "Admins can hide a review. Invoices by email\n"
    )
    context = DraftContext(
        goal="A better shop",
        notes=notes,
        existing_titles=["invoices by email"],
        similar=[SimilarStory(title="Hide a comment", final_estimate="3", score=1.0)],
    )
    made = await _ask(tasks.DRAFT, context, StoryDrafts)
    stories = [d.story for d in made.drafts]
    assert [s.title for s in stories] == ["Wishlist", "Compare two products", "Hide a review"]
    assert stories[0].acceptance_criteria == (
        "- Add a product from its page\n- Share the list by link"
    )
    assert stories[1].description == (
        "As a shopper, I want to compare two products so that I pick the right one.\n\n"
        "Goal: A better shop"
    )
    assert stories[2].description.startswith("As an admin, I want to hide a review.")
    assert [r.title for r in made.drafts[2].similar] == ["Hide a comment"]
    assert made.skipped == ["Invoices by email"]


async def test_drafts_stop_at_the_number_asked_for() -> None:
    context = DraftContext(notes="Search\nFilter\nSort\nCompare", max_stories=2)
    made = await _ask(tasks.DRAFT, context, StoryDrafts)
    assert [d.story.title for d in made.drafts] == ["Search", "Filter"]


def _similar(*pairs: tuple[str, str, float]) -> list[SimilarStory]:
    return [SimilarStory(title=t, final_estimate=e, score=s) for t, e, s in pairs]


async def test_an_estimate_from_similar_stories() -> None:
    context = _context(
        WELL_FORMED,
        similar=_similar(
            ("Password change", "3", 4.0), ("Email verification", "5", 2.0), ("Login", "3", 1.0)
        ),
    )
    made = await _ask(tasks.ESTIMATE, context, EstimateAdvice)
    assert (made.low, made.likely, made.high, made.basis) == ("3", "3", "5", "similar_stories")
    assert not made.votes_considered
    assert made.reasons[1] == "The votes stay hidden until the reveal; ask again once revealed"


async def test_an_estimate_once_revealed_weighs_the_votes() -> None:
    context = StoryContext(
        story=WELL_FORMED,
        status="revealed",
        deck=FIBONACCI,
        similar=_similar(("Password change", "3", 4.0)),
        revealed=RevealedVotes(values=["5", "5", "8", "?"], final_estimate="5", agreement=67),
    )
    made = await _ask(tasks.ESTIMATE, context, EstimateAdvice)
    assert (made.low, made.likely, made.high, made.basis) == ("3", "5", "8", "both")
    assert made.votes_considered
    assert "3 revealed votes from 5 to 8, 67% on 5" in made.reasons
    assert "The votes agree with the earlier stories" in made.reasons


async def test_no_estimate_without_anything_to_go_on() -> None:
    made = await _ask(tasks.ESTIMATE, _context(ROUGH), EstimateAdvice)
    assert (made.low, made.likely, made.high, made.basis) == (None, None, None, "none")
    assert made.confidence == 0.1


def _analytics() -> dict[str, Any]:
    def story(title: str, final: str | None, **extra: Any) -> dict[str, Any]:
        return {
            "title": title,
            "status": "revealed" if final else "pending",
            "final_estimate": final,
            "agreement": extra.pop("agreement", 100),
            "outliers": extra.pop("outliers", []),
            "rounds": extra.pop("rounds", 1),
            "history": extra.pop("history", []),
            "low_agreement": extra.pop("low_agreement", False),
            "std": extra.pop("std", 0),
            "average": extra.pop("average", None),
        }

    return {
        "totals": {
            "estimated": 3,
            "consensus": 1,
            "consensus_rate": 33,
            "average_agreement": 55,
            "low_agreement": 1,
            "revoted": 1,
            "without_estimate": 0,
            "median_estimate": 5,
            "median_seconds": 300,
        },
        "distribution": [{"value": "5", "count": 2}, {"value": "13", "count": 1}],
        "stories": [
            story("Login", "5"),
            story(
                "Checkout",
                "5",
                agreement=33,
                low_agreement=True,
                outliers=[{"value": "20", "participant": None}],
            ),
            story(
                "Search",
                "13",
                rounds=2,
                history=[{"final_estimate": "3"}, {"final_estimate": "13"}],
            ),
            story("Wishlist", None),
        ],
    }


async def test_a_summary_from_the_session_s_numbers() -> None:
    made = await _ask(tasks.SUMMARY, SessionContext(analytics=_analytics()), SessionSummary)
    assert made.headline == "3 of 4 stories estimated, 55% agreement on average"
    assert made.highlights == [
        "1 stories reached full consensus",
        "Median estimate 5",
        "A story took 5 min (median)",
        "Most common estimate: 5 (2 stories)",
    ]
    assert made.attention == ["'Checkout' (5): only 33% agreed"]
    assert made.next_steps[0] == "1 stories left: 'Wishlist'"


async def test_a_report_with_revotes_outliers_and_advice() -> None:
    made = await _ask(tasks.REPORT, SessionContext(analytics=_analytics()), EstimationReport)
    assert made.accuracy.consensus_rate == 33 and made.accuracy.low_agreement == 1
    assert [(r.title, r.estimates) for r in made.revoted] == [("Search", ["3", "13"])]
    assert [(o.title, o.values) for o in made.outliers] == [("Checkout", ["20"])]
    assert [r.split(":")[0] for r in made.recommendations] == [
        "1 of 3 stories needed a re-vote",
        "Agreement averages 55%",
        "1 stories had outlying votes",
    ]


async def test_an_unknown_task_is_said_so() -> None:
    try:
        await ai.current().suggest("plan_a_party", SessionContext(analytics={}), SessionSummary)
    except UnknownTask as exc:
        assert str(exc) == "plan_a_party"
    else:
        raise AssertionError("no rule for that task")


_PIECES = (
    "a", "b", " ", "X", ",", ".", ";", ":", "-", "*", "1.", "\n", "\t", " and ", " or ", "As a ",
    "I want ", " so that ", "é", "…", "Given ", " when ", " then ", "first ", "Admins ", "can ",
    "search", "&", "(", "\u200b", "  - ", "When ", "fast", "etc",
)  # fmt: skip
# Texts made of the pieces the rules look for, in any order.
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(title=_TEXT.filter(str.strip), description=_TEXT, criteria=_TEXT, notes=_TEXT)
def test_the_rules_answer_any_text(title: str, description: str, criteria: str, notes: str) -> None:
    """Whatever a story or notes say, every rule answers within its schema's limits."""
    story = StoryText(title=title, description=description, acceptance_criteria=criteria)
    context = _context(story, similar=_similar(("Similar", "5", 1.0)))
    for task, schema in (
        (tasks.ANALYZE, StoryAnalysis),
        (tasks.CRITERIA, AcceptanceCriteria),
        (tasks.IMPROVE, StoryImprovement),
        (tasks.SPLIT, StorySplit),
        (tasks.ESTIMATE, EstimateAdvice),
    ):
        answer(task, context, schema)
    answer(tasks.DRAFT, DraftContext(goal=title, notes=notes), StoryDrafts)
    answer(tasks.DRAFT, DraftContext(goal=title), StoryDrafts)
