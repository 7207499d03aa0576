"""The project wizard's built-in rules on real project descriptions, and a model's
answers taken through the same schemas."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from services.ai import provider as ai
from services.ai.provider import S
from services.wizard import drafts
from services.wizard.ai_tasks import ROADMAP_TASK
from services.wizard.roadmap_rules import features, roadmap
from services.wizard.rules import READY_AT, TOPICS, DraftText, assess
from tests.factories import create_board, user_actor

CLINIC = DraftText(
    name="Clinic booking",
    description=(
        "We want to help patients book appointments online so that the front desk spends "
        "less time on the phone.\n"
        "- Patients can see free slots\n"
        "- Patients can book and cancel an appointment\n"
        "- Staff can manage the calendar\n"
        "- Send reminders by SMS\n"
    ),
)
MIGRATION = DraftText(
    name="Billing migration",
    description=(
        "Our billing runs on a legacy PHP app that nobody wants to touch. The goal is to "
        "move invoicing to the new Python service before the contract with the old host "
        "ends in June. The new service must export invoices as PDF. It should also "
        "send payment reminders. The biggest risk is losing historical invoices during "
        "the migration. Success means zero invoices lost and month-end closing in one day."
    ),
)
VAGUE = DraftText(name="Something", description="A tool.")


def test_a_vague_draft_is_asked_about_what_matters_most() -> None:
    found = assess(VAGUE)
    assert found.readiness == 0
    assert [q.topic for q in found.questions] == ["goal", "scope", "users"]
    assert found.questions[0].question.startswith("What is the project's goal")


def test_a_rich_description_covers_many_topics_on_its_own() -> None:
    found = assess(MIGRATION)
    covered = {t for t, p in found.coverage.items() if p}
    assert {"goal", "scope", "deadline", "constraints", "risks", "success"} <= covered
    # Mentioned is not answered: the questions ask to say more.
    assert found.readiness < 100
    # The one topic it leaves out is asked first, then the ones it only touches on.
    assert found.questions[0].topic == "users"
    assert found.questions[0].question.startswith("Who will use the result")
    assert found.questions[1].question.startswith(("Your", "You", "Which"))


def test_readiness_rises_with_real_answers_and_not_with_dont_know() -> None:
    start = assess(CLINIC).readiness
    idk = DraftText(CLINIC.name, CLINIC.description, answers={"success": "don't know"})
    assert assess(idk).readiness == start
    terse = DraftText(CLINIC.name, CLINIC.description, answers={"success": "fewer calls"})
    full = DraftText(
        CLINIC.name,
        CLINIC.description,
        answers={"success": "Phone calls to the front desk drop by 30% in three months"},
    )
    assert start < assess(terse).readiness < assess(full).readiness
    everything = DraftText(
        CLINIC.name,
        CLINIC.description,
        answers={t: "A full answer of at least five words here" for t in TOPICS},
    )
    found = assess(everything)
    assert found.readiness == 100 and found.questions == []


def test_features_come_from_bullets_sentences_and_the_scope_answer() -> None:
    assert features(CLINIC) == [
        "Patients can see free slots",
        "Patients can book and cancel an appointment",
        "Staff can manage the calendar",
        "Send reminders by SMS",
    ]
    # Sentences: feature-like ones are kept, the goal, the risk and the measure are not.
    found = features(MIGRATION)
    assert found == ["Export invoices as PDF", "Send payment reminders"]
    assert not any("risk" in f.lower() or "success" in f.lower() for f in found)
    scoped = DraftText("x", "A tool.", answers={"scope": "Login, a dashboard and CSV export"})
    assert features(scoped) == ["Login", "A dashboard", "CSV export"]


def test_the_roadmap_has_discovery_build_and_launch_with_hints() -> None:
    answered = DraftText(
        CLINIC.name,
        CLINIC.description,
        answers={
            "success": "Phone calls to the front desk drop by 30% in three months",
            "deadline": "Before the new clinic opens in March",
            "risks": "The SMS provider may be too expensive\nStaff may resist a new calendar",
        },
    )
    phases = roadmap(answered)["phases"]
    assert [p["name"] for p in phases] == ["Discovery", "Build", "Launch"]
    discovery = [d["title"] for d in phases[0]["deliverables"]]
    assert "Reduce a risk: The SMS provider may be too expensive" in discovery
    assert "Reduce a risk: Staff may resist a new calendar" in discovery
    launch = phases[2]["deliverables"][0]
    assert (
        "Ready for the key date: Before the new clinic opens in March" in launch["acceptanceHints"]
    )
    for phase in phases:
        for d in phase["deliverables"]:
            assert d["title"] and d["description"] and 1 <= len(d["acceptanceHints"]) <= 5
    # The same draft gives the same roadmap.
    assert roadmap(answered) == roadmap(answered)


def test_many_features_split_the_build_into_two_phases() -> None:
    bullets = "\n".join(f"- Users can manage report number {i}" for i in range(20))
    phases = roadmap(DraftText("Reports", "Reporting for finance.\n" + bullets))["phases"]
    assert [p["name"] for p in phases] == ["Discovery", "Build: core", "Build: more", "Launch"]
    assert len(phases[1]["deliverables"]) == 10 and len(phases[2]["deliverables"]) == 10


def test_nothing_described_still_gets_a_usable_plan() -> None:
    phases = roadmap(VAGUE)["phases"]
    assert [p["name"] for p in phases] == ["Discovery", "Build", "Launch"]
    assert phases[1]["deliverables"][0]["title"] == "Build the first usable version"


class _Model:
    """A stand-in for a configured model: answers the roadmap task its own way."""

    name = "llm:test-model"

    def __init__(self) -> None:
        self.asked: list[tuple[str, BaseModel]] = []

    async def suggest(self, task: str, context: BaseModel, schema: type[S]) -> S:
        self.asked.append((task, context))
        data: dict[str, Any]
        if task == ROADMAP_TASK:
            data = {
                "phases": [
                    {
                        "name": "Pilot",
                        "description": "One clinic first",
                        "deliverables": [
                            {
                                "title": "Pilot in one clinic",
                                "description": "Run it for a month",
                                "acceptanceHints": ["Ten bookings a day"],
                            }
                        ],
                    }
                ]
            }
        else:
            data = {"questions": [{"topic": "users", "question": "Who books?", "hint": "Why"}]}
        return schema.model_validate(
            {**data, "provider": self.name, "confidence": 0.9, "reasons": ["model"]}
        )


@pytest.fixture
def model() -> Any:
    fake = _Model()
    ai.use(fake)
    yield fake
    ai.use(None)


async def test_a_configured_model_asks_and_plans_but_readiness_stays_with_the_rules(
    db: str, model: _Model
) -> None:
    board = await create_board()
    where = {
        "actor": user_actor(board.owner),
        "org_slug": board.org.slug,
        "ws_slug": board.workspace.slug,
    }
    made = await drafts.create_draft(name="Clinic", description=CLINIC.description, **where)
    assert made["questions"] == [{"topic": "users", "question": "Who books?", "hint": "Why"}]
    assert made["engine"] == "llm:test-model"
    assert made["readiness"] == assess(CLINIC).readiness
    answers = {
        "success": "Calls drop by 30% in three months",
        "risks": "SMS costs may grow too fast",
        "deadline": "Before the new clinic opens in March",
    }
    refined = await drafts.refine(draft_id=made["id"], answers=answers, **where)
    assert refined["readiness"] >= READY_AT
    planned = await drafts.generate_roadmap(draft_id=made["id"], **where)
    assert [p["name"] for p in planned["roadmap"]["phases"]] == ["Pilot"]
    context = model.asked[-1][1].model_dump()
    assert context["answers"] == answers and context["name"] == "Clinic"
    executed = await drafts.execute(draft_id=made["id"], **where)
    assert executed["project"]["imported"]["columns"] == 1
    assert executed["project"]["imported"]["cards"] == 1
