import asyncio
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from bot.facts.service import FactService
from bot.models import Answer
from bot.storage.database import Database

from .conftest import SEEDS

_WORDS = st.sampled_from(
    [
        "Zelensky",
        "Donbas",
        "NATO",
        '"',
        "*",
        "NEAR(",
        "AND",
        "OR",
        "NOT",
        "-",
        ":",
        "^",
        "(",
        ")",
        "Зеленський",
        "🙂",
        "what",
        "when",
        "who",
        "%",
        "$",
        "\x00",
        "\u200b",
        "2014",
    ]
)
QUESTIONS = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(categories=["Cs", "Cc", "So", "Lo", "Ll", "Zs"]), max_size=40),
    st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=25).map(" ".join),
)


def test_ask_returns_a_well_formed_answer_for_any_text(tmp_path: Path, clock: FixedClock) -> None:
    loop = asyncio.new_event_loop()
    db = loop.run_until_complete(Database.connect(tmp_path / "prop.sqlite3"))
    service = FactService(db, clock)
    loop.run_until_complete(service.ingest_seeds(SEEDS))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(QUESTIONS)
    def check(question: str) -> None:
        answer = loop.run_until_complete(service.ask(question))
        assert isinstance(answer, Answer)
        Answer.model_validate_json(answer.model_dump_json())
        assert 0.0 <= answer.confidence <= 1.0
        if answer.abstained:
            assert answer.citations == [] and answer.conflicts == []
        else:
            assert answer.citations and answer.answer

    try:
        check()
    finally:
        loop.run_until_complete(db.close())
        loop.close()
