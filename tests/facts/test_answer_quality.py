"""A dev set of reporters' questions on the five seed articles, with what a right answer cites.

Each case: the question, phrases of which the FIRST cited sentence must contain one (None: the
sources do not say, so ``ask`` must abstain), and optionally phrases one of which the short
answer must contain. ``test_dev_set_accuracy`` prints the accuracy (``pytest -s``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.facts.service import FactService
from bot.models import Answer


@dataclass(frozen=True)
class Case:
    question: str
    quote: tuple[str, ...] | None  # None: must abstain
    answer: tuple[str, ...] = ()


def _c(
    question: str, quote: str | tuple[str, ...] | None, answer: str | tuple[str, ...] = ()
) -> Case:
    q = (quote,) if isinstance(quote, str) else quote
    a = (answer,) if isinstance(answer, str) else answer
    return Case(question, q, a)


DEV_SET: list[Case] = [
    # who
    _c("Who said there's no deal until there's a deal?", "no deal until", "Trump"),
    _c("Who is Yuri Ushakov?", "Ushakov", "aide"),
    _c("Who is Anna Kelly?", "Anna Kelly", "press secretary"),
    _c("Who is Dmitry Peskov?", "Peskov", "spokesman"),
    _c("Who co-chaired the Sunday video call?", "Macron", "Macron"),
    _c("Who travelled to Moscow with Witkoff?", "Kushner", "Kushner"),
    _c("Who confirmed that Russia expects a follow-up summit?", "follow-up summit", "Ushakov"),
    _c(
        "Who cited eight people familiar with the talks?",
        "eight",
        ("Financial Times", "Kyiv Independent"),
    ),
    # when
    _c("When did Trump and Putin meet?", "Aug. 15", "15 August 2025"),
    _c(
        "When did Zelensky say the security guarantees document was ready?",
        "January 25",
        "25 January 2026",
    ),
    _c("When do negotiators return to the United Arab Emirates?", "February 1", "1 February 2026"),
    _c("When will Trump host Zelenskiy at the White House?", "host", "18 August 2025"),
    _c("When was the Alaska summit?", "Aug. 15", "15 August 2025"),
    _c("Когда встречались Путин и Трамп?", ("Aug. 15", "last August")),
    # where
    _c("Where were the first trilateral talks held?", "Abu Dhabi", "Abu Dhabi"),
    _c(
        "Where did Zelensky tell reporters that guarantees come from the United States?",
        "Vilnius",
        "Vilnius",
    ),
    _c(
        "Where did Trump and Putin hold their summit?",
        ("Alaska", "Anchorage", "Elmendorf"),
        ("Alaska", "Anchorage", "Elmendorf"),
    ),
    _c("Where does Russia expect a follow-up summit?", "follow-up summit in Moscow", "Moscow"),
    # quantities
    _c("How many Ukrainians oppose ceding Donbas?", "54 per cent", "54 per cent"),
    _c("How much is the prosperity plan worth?", "$800 billion", "$800 billion"),
    _c("How many countries are in the coalition of the willing?", "more than 30 countries", "30"),
    _c("How many civilians remain in Kramatorsk and Slovyansk?", "250,000", "250,000"),
    _c("How long is the fortress belt?", "50km", "50km"),
    _c(
        "How many casualties would Russia suffer to occupy the four regions?",
        "casualties",
        "2 million",
    ),
    _c(
        "How long would it take Russia to fully occupy the four regions?",
        "more than four years",
        "four years",
    ),
    _c("What share of Donbas does Russia control?", "90", "90"),
    # what
    _c("What does the coalition of the willing want?", "peace cannot be decided without Ukraine"),
    _c("What did Witkoff say?", "solvable"),
    _c("What is the Anchorage formula?", "Anchorage formula"),
    _c("What did Peskov say about the territorial issue?", "fundamental importance"),
    _c(
        "What did Zelensky say about ceding territory?",
        (
            "rejected any deal",
            "will not hand over",
            "give their land",
            "unconstitutional",
            "ruled out",
        ),
    ),
    _c(
        "What did Putin propose at the Alaska summit?",
        ("outlined a plan", "withdraw from the Donbas"),
    ),
    _c("What did Anna Kelly say about the FT report?", "totally false"),
    _c("What did Trump post on Truth Social?", ("Truth Social", "comprehensive peace agreement")),
    _c("Що сказав Зеленський про Донбас?", ("Zelensk",)),
    # why
    _c(
        "Why is Donbas important to Ukraine?",
        ("heartland", "bulwark", "fortress belt", "fortified"),
    ),
    _c(
        "Why does Kyiv refuse to withdraw from Donbas?",
        ("springboard", "launch pad", "untenable", "fortress belt", "pathways"),
    ),
    # yes / no
    _c("Is NATO membership on the table?", "NATO"),
    _c("Did Trump endorse Putin's plan?", "endorse"),
    _c(
        "Has Zelensky agreed to give up Donbas?",
        ("ruled out", "will not hand over", "rejected", "give their land"),
    ),
    # more wording
    _c("How much of Donbas does Russia control?", "90", "90"),
    _c("How long has the war lasted?", ("four-year", "four years", "fourth year"), "four"),
    _c("Who wants Ukraine to cede the Donbas?", "Putin wants", "Putin"),
    _c("What did the senior Ukrainian official say?", "senior Ukrainian official"),
    _c("Where did Zelensky speak about the land issue?", "Davos", "Davos"),
    _c("Who said that Ukrainians will not give up their land?", "give their land", "Zelensky"),
    _c(
        "How many lives has the conflict claimed?", "hundreds of thousands", "hundreds of thousands"
    ),
    _c("What did Putin say?", ("Putin insists", "Putin spoke", "Putin also floated")),
    _c("What did Trump say about land swaps?", "land swaps"),
    _c("Did Russia reject a ceasefire?", "rejection of repeated calls for a ceasefire"),
    # the sources do not say
    _c("Who hosted the first trilateral talks?", None),
    _c("How many points are in the peace plan?", None),
    _c("Who said the war would end soon?", None),
    _c('Who said "peace is coming"?', None),
    _c("Who won the 2018 World Cup?", None),
    _c("What is the capital of France?", None),
    _c("What did Merz say about Crimea?", None),
    _c("How many troops does NATO have in Poland?", None),
    _c("When did Zelensky meet Pope Leo?", None),
    _c("What did Macron say about nuclear weapons?", None),
    _c("How much gas does Russia export to China?", None),
    _c("What did Kushner say about Crimea?", None),
]


def _norm(text: str) -> str:
    return text.casefold().replace("’", "'").replace("‘", "'").replace("‑", "-")


def correct(case: Case, answer: Answer) -> bool:
    if case.quote is None:
        return answer.abstained
    if answer.abstained or not answer.citations:
        return False
    first = _norm(answer.citations[0].quote)
    if not any(_norm(p) in first for p in case.quote):
        return False
    return not case.answer or any(_norm(p) in _norm(answer.answer) for p in case.answer)


async def test_dev_set_accuracy(facts: FactService) -> None:
    right = 0
    for case in DEV_SET:
        answer = await facts.ask(case.question)
        ok = correct(case, answer)
        right += ok
        if not ok:
            print(f"MISS {case.question!r} -> {answer.answer[:160]!r}")
    accuracy = right / len(DEV_SET)
    print(f"dev-set accuracy: {right}/{len(DEV_SET)} = {accuracy:.0%}")
    assert accuracy >= 0.9


async def test_quoted_words_find_their_speaker(facts: FactService) -> None:
    for question in (
        "Who said there's no deal until there's a deal?",
        "Who said “there’s no deal until there’s a deal”?",
        'Who said "there is no deal until there is a deal"?',
    ):
        answer = await facts.ask(question)
        assert answer.answer.startswith("Trump"), (question, answer.answer)
        assert all("no deal until" in c.quote for c in answer.citations)


async def test_sources_are_named_only_when_they_speak(facts: FactService) -> None:
    # Zelensky is mentioned ("a hurdle for ... Zelensky, who was reportedly prepared ..."),
    # he does not say it: the answer credits the outlet
    answer = await facts.ask("How much is the prosperity plan worth?")
    assert "(Zelensky," not in answer.answer and "report citing" in answer.answer
    answer = await facts.ask("What did Zelensky say in Vilnius?")
    assert "According to Zelensky" in answer.answer


async def test_pronoun_sentences_join_their_speaker(facts: FactService) -> None:
    answer = await facts.ask("How did Zelensky describe ceding territory?")
    quotes = [c.quote for c in answer.citations]
    assert "rejected any deal that cedes" in quotes[0]
    assert any("unconstitutional" in q for q in quotes), quotes
    answer = await facts.ask("Who accused the FT of letting malicious actors lie anonymously?")
    assert answer.answer.startswith("Anna Kelly")


async def test_who_is_gives_the_role(facts: FactService) -> None:
    answer = await facts.ask("Who is Yuri Ushakov?")
    assert "aide" in answer.answer.split("According")[0]
    answer = await facts.ask("Who is Anna Kelly?")
    assert "deputy White House press secretary" in answer.answer.split("According")[0]


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("Is NATO membership on the table?", "The sources suggest no:"),
        ("Did Trump endorse Putin's plan?", "Reportedly yes:"),
        ("Has Zelensky agreed to give up Donbas?", "The sources suggest no:"),
        ("Has Zelensky agreed to a free economic zone?", "My sources don't say directly"),
    ],
)
async def test_yes_no_answers_are_hedged_and_quoted(
    facts: FactService, question: str, lead: str
) -> None:
    answer = await facts.ask(question)
    assert answer.answer.startswith(lead), answer.answer
    assert "“" in answer.answer and answer.citations
