"""Reporters' questions on the seed articles: answers quote and cite, or abstain plainly."""

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.facts.answer import NOTHING
from bot.facts.service import FactService


@pytest.mark.parametrize(
    ("question", "in_answer", "in_quote"),
    [
        ("How did Zelensky describe ceding territory?", "", "rejected any deal that cedes"),
        ("Where were the first trilateral talks held?", "Abu Dhabi", "first trilateral talks"),
        ("When do negotiators return to the UAE?", "1 February 2026", "February 1"),
        ("Who denied the FT report?", "Anna Kelly", "denied the reports"),
        ("How much is the prosperity plan worth?", "$800 billion", "prosperity plan"),
        ("What did Witkoff say?", "", "solvable"),
        ("Is NATO membership on the table?", "", "NATO"),
        ("Why is Donbas important?", "", "heartland"),
        ("What is the fortress belt?", "", "fortress belt"),
        ("How many civilians remain in Kramatorsk and Slovyansk?", "250,000", "250,000 civilians"),
        ("When was the Alaska summit?", "15 August 2025", "Aug. 15"),
        ("Who will host Zelenskiy at the White House?", "Trump", "host"),
        ("What did Зеленський say about Донбас?", "", "Zelensk"),
    ],
)
async def test_answers_quote_and_cite(
    facts: FactService, question: str, in_answer: str, in_quote: str
) -> None:
    answer = await facts.ask(question)
    assert not answer.abstained, question
    assert in_answer in answer.answer
    assert 1 <= len(answer.citations) <= 4
    assert any(in_quote in c.quote for c in answer.citations), answer.citations
    for c in answer.citations:
        assert c.headline and c.publisher and c.article_id > 0
        assert len(c.published) == 10 and c.published[4] == "-"
    assert 0 < answer.confidence <= 1


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2018 World Cup?",
        "What is the capital of France?",
        "How much did Elon Musk pay for Twitter?",
        "When will the Olympics start in Brisbane?",
        "What did Zelensky say about Bitcoin?",
    ],
)
async def test_abstains_without_support(facts: FactService, question: str) -> None:
    answer = await facts.ask(question)
    assert answer.abstained
    assert answer.answer == NOTHING
    assert answer.citations == [] and answer.conflicts == []
    assert answer.confidence == 0


async def test_differing_figures_are_shown_newest_first(facts: FactService) -> None:
    answer = await facts.ask("What percentage of Donetsk does Russia control?")
    assert not answer.abstained
    assert answer.conflicts, answer
    claims = answer.conflicts[0].claims
    assert [c.published for c in claims] == sorted((c.published for c in claims), reverse=True)
    assert "90" in claims[0].value and claims[0].published.startswith("2026-01")
    assert any("70" in c.value and c.published.startswith("2025-08") for c in claims)
    assert "differ" in answer.answer
    assert answer.answer.index("90") < answer.answer.index("70")


async def test_empty_and_hostile_input(facts: FactService) -> None:
    for text in [
        "",
        "   ",
        "\n\t",
        "?!",
        "🙂🙂",
        '"',
        "*",
        "NEAR(",
        "AND OR NOT",
        "-:^()",
        "\udcff\x00",
    ]:
        answer = await facts.ask(text)
        assert answer.abstained, text
    long = await facts.ask("Where were the first trilateral talks held? " + "x" * 10_000)
    assert not long.abstained and "Abu Dhabi" in long.answer
    assert len(long.question) <= 500
    syntax = await facts.ask('What did "Witkoff" say? NEAR(land, issue) AND -Putin* ^ : OR')
    assert not syntax.abstained


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(__import__("os").environ):
        if key.startswith("BEATWATCH_"):
            monkeypatch.delenv(key)
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("BEATWATCH_DATABASE_PATH", str(path))
    monkeypatch.setenv("BEATWATCH_LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path)  # no stray .env
    return path


def test_cli_json_shape(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "ask", "--json", "How did Zelensky describe ceding territory?")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) >= {"question", "answer", "abstained", "confidence", "citations", "conflicts"}
    assert obj["abstained"] is False
    cite = obj["citations"][0]
    assert set(cite) >= {"article_id", "headline", "publisher", "published", "quote", "url"}
    code, out, _ = _cli(capsys, "ask", "--json", "What percentage of Donetsk does Russia control?")
    conflict = json.loads(out)["conflicts"][0]
    assert set(conflict) >= {"subject", "claims"}
    assert set(conflict["claims"][0]) >= {"value", "quote", "publisher", "published", "article_id"}
    code, out, _ = _cli(capsys, "ask", "--json", "Who won the 2018 World Cup?")
    assert json.loads(out)["abstained"] is True


def test_cli_text_and_bad_input(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "ask", "Who denied the FT report?")
    assert code == 0 and "Anna Kelly" in out and "== Sources" in out
    code, out, err = _cli(capsys, "ask", "   ")
    assert code == 2 and "needs a question" in err and "Traceback" not in err + out
    code, out, err = _cli(capsys, "ask", "x" * 10_000)
    assert code == 0 and NOTHING in out
    code, out, _ = _cli(capsys, "ingest", "--json")
    assert code == 0 and json.loads(out)["added"] == 0


async def test_who_answers_name_the_people_in_question(facts: FactService) -> None:
    answer = await facts.ask("Who co-chaired the coalition call?")
    assert answer.answer.startswith("Macron, Merz and Starmer")
    answer = await facts.ask("Who travelled to Moscow with Witkoff?")
    assert answer.answer.startswith("Kushner")


async def test_shares_of_people_are_not_shares_of_land(facts: FactService) -> None:
    answer = await facts.ask("How much of Donbas does Russia control?")
    values = [c.value for conflict in answer.conflicts for c in conflict.claims]
    assert not any("54" in v for v in values), values
    # "around 70% of Donetsk" is not a share of Donbas: the Donbas figure is 90%
    assert "90" in answer.answer and "54" not in answer.answer.split(":")[0]
    assert (
        await facts.ask("What percentage of Ukrainians object to ceding Donbas?")
    ).answer.startswith("about 54 per cent")


async def test_british_and_american_spellings_meet(facts: FactService) -> None:
    answer = await facts.ask("What did the UK defence ministry estimate?")
    assert not answer.abstained
    assert "UK defense ministry" in answer.citations[0].quote


async def test_who_is_describes_the_person_asked_about(facts: FactService) -> None:
    answer = await facts.ask("Who is Keir Starmer?")
    assert not answer.abstained
    assert "Starmer" in answer.citations[0].quote
    assert not answer.answer.startswith(("Zelensky", "Macron"))


async def test_reporters_wording_meets_the_sources(facts: FactService) -> None:
    # "assurances" (question) vs "guarantees" (source), "rejected" vs "denied"
    answer = await facts.ask("Who rejected the FT report?")
    assert answer.answer.startswith("Anna Kelly")


async def test_a_share_in_words_answers_how_much(facts: FactService) -> None:
    answer = await facts.ask("How much of Luhansk does Russia control?")
    assert answer.answer.startswith("nearly all of Luhansk"), answer.answer
    assert "nearly all of Luhansk" in answer.citations[0].quote
    assert not answer.conflicts  # "most of Luhansk" elsewhere agrees; words are not figures


async def test_a_date_question_without_a_dated_answer_says_so(facts: FactService) -> None:
    answer = await facts.ask("When did Witkoff travel to Moscow?")
    assert not answer.abstained
    assert answer.answer.startswith("My sources give no date for that"), answer.answer
    assert "travelled to Moscow" in answer.citations[0].quote
    assert answer.confidence <= 0.5
