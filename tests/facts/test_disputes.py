"""Disputed claims: a reported claim and its denial are shown together, dated; a denial of
something else is never attached."""

from __future__ import annotations

import sqlite3

from bot.facts.disputes import find_dispute, is_denial, is_report, report_claims
from bot.facts.question import analyse_question
from bot.facts.ranking import Scored
from bot.facts.service import FactService
from bot.facts.terms import content_terms
from bot.models import Conflict
from bot.storage.facts import FactRow


def _disputes(conflicts: list[Conflict]) -> list[Conflict]:
    return [c for c in conflicts if c.subject.startswith("disputed claim")]


async def test_reported_claim_and_its_denial_are_shown_together(facts: FactService) -> None:
    answer = await facts.ask("Are US security guarantees conditional on Ukraine giving up Donbas?")
    assert not answer.abstained
    [dispute] = _disputes(answer.conflicts)
    values = {c.value for c in dispute.claims}
    assert values == {"reported", "denied"}
    denied = [c.quote for c in dispute.claims if c.value == "denied"]
    assert any("totally false" in q for q in denied)
    assert any("not trying to force" in q for q in denied)
    dates = [c.published for c in dispute.claims]
    assert dates == sorted(dates, reverse=True)  # newest first
    # the text says so, with the denial quoted and dated
    assert "Disputed, denied by Anna Kelly (2026-01-27)" in answer.answer
    assert "totally false" in answer.answer
    # and the denial is cited
    assert any("totally false" in c.quote for c in answer.citations)
    dumped = answer.model_dump(mode="json")["conflicts"]
    assert set(dumped[-1]["claims"][0]) == {
        "value",
        "quote",
        "publisher",
        "published",
        "article_id",
        "headline",
    }


async def test_no_dispute_on_questions_about_something_else(facts: FactService) -> None:
    # these answers cite reported sentences from the article holding the denial, but the
    # denial is about another claim of that article
    for question in (
        "How much is the prosperity plan worth?",
        "Who cited eight people familiar with the talks?",
        "Did Trump endorse Putin's plan?",
        "Who said there's no deal until there's a deal?",
        "When did Trump and Putin meet?",
    ):
        answer = await facts.ask(question)
        assert not _disputes(answer.conflicts), question
        assert "Disputed" not in answer.answer, question


def test_denial_language() -> None:
    assert is_denial("The Kremlin denied the reports on Tuesday.")
    assert is_denial("'This is totally false,' she said.")
    assert is_denial("Officials said the account was not true.")
    assert is_denial("Washington was 'not trying to force any concessions'.")
    # a stance is not a denial of a report
    assert not is_denial("Zelensky has repeatedly rejected any deal that cedes territory.")
    assert not is_denial("Russia denied entry to the monitors.")
    assert is_report("The US is reportedly linking guarantees to concessions.")
    assert not is_report("Anna Kelly denied the reports, calling them totally false.")


_COLUMNS = (
    "id, article_id, position, kind, text, section, entities, context, quantities, dates, "
    "attribution, published, added_at, headline, publisher, url, terms"
)


def _fact(
    conn: sqlite3.Connection, fid: int, article: int, position: int, text: str, headline: str
) -> FactRow:
    conn.row_factory = sqlite3.Row
    row = conn.execute(
        f"SELECT {', '.join('? AS ' + c.strip() for c in _COLUMNS.split(','))}",  # noqa: S608
        (
            fid,
            article,
            position,
            "sentence",
            text,
            "",
            "[]",
            "[]",
            "[]",
            "[]",
            None,
            "2026-01-27T10:00:00Z",
            "2026-01-27T10:00:00Z",
            headline,
            "Example News",
            None,
            " ".join(content_terms(text)),
        ),
    ).fetchone()
    return FactRow(row)


def test_denial_of_another_subject_is_not_attached() -> None:
    conn = sqlite3.connect(":memory:")
    headline = "Mine deal reportedly near"
    claim = _fact(
        conn,
        1,
        7,
        1,
        "The mineral deal is reportedly close to signature, according to two officials.",
        headline,
    )
    unrelated = _fact(
        conn,
        2,
        7,
        5,
        "The ministry denied the reports of a fuel shortage in the capital.",
        headline,
    )
    related = _fact(
        conn,
        3,
        7,
        6,
        "Officials said claims that the mineral deal was close to signature were not true.",
        headline,
    )
    question = analyse_question("Is the mineral deal close to signature?")
    support = [Scored(claim, 1.0, 0.0, 1.0, True)]
    claims = report_claims(support)
    assert claims == [claim]
    assert find_dispute(question, claims, support, [unrelated]) is None
    dispute = find_dispute(question, claims, support, [unrelated, related])
    assert dispute is not None
    assert [c.value for c in dispute.claims] == ["denied", "reported"]
    assert all("fuel" not in c.quote for c in dispute.claims)
    # a denial before the claim, or in another article, is not its denial
    earlier = _fact(conn, 4, 7, 0, related.text, headline)
    elsewhere = _fact(conn, 5, 8, 6, related.text, headline)
    assert find_dispute(question, claims, support, [earlier, elsewhere]) is None


def test_another_outlets_denial_of_the_same_subject_is_attached() -> None:
    conn = sqlite3.connect(":memory:")
    claim = _fact(
        conn,
        1,
        7,
        1,
        "The mineral deal is reportedly close to signature, according to two officials.",
        "Mine deal reportedly near",
    )
    denial = _fact(
        conn,
        2,
        8,
        3,
        "The ministry said claims the mineral deal was close to signature were not true.",
        "Ministry: no deal yet",
    )
    other = _fact(
        conn, 3, 9, 3, "The ministry denied the reports of a fuel shortage.", "Fuel denial"
    )
    question = analyse_question("Is the mineral deal close to signature?")
    claims = report_claims([Scored(claim, 1.0, 0.0, 1.0, True)])
    ranked = [
        Scored(claim, 1.0, 0.0, 1.0, True),
        Scored(denial, 0.9, 0.0, 0.9, True),
        Scored(other, 0.2, 0.0, 0.2, True),
    ]
    dispute = find_dispute(question, claims, ranked)
    assert dispute is not None
    assert {c.article_id for c in dispute.claims} == {7, 8}
