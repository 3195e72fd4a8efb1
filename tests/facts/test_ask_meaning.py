"""The calibrated decision of ``ask``: the shipped calibration loads, every stored fact has a
vector, and a question no word of which is in the sentence still finds it by meaning."""

from __future__ import annotations

from bot.facts.rerank import FEATURES, calibration
from bot.facts.service import FactService


def test_the_shipped_calibration_is_complete() -> None:
    cal = calibration()
    assert set(cal.weights) == set(FEATURES)
    assert 0.0 < cal.threshold < 1.0


async def test_seed_facts_carry_vectors(facts: FactService) -> None:
    conn = facts._reader()
    total, with_vec = conn.execute("SELECT count(*), count(vec) FROM facts").fetchone()
    assert total > 100
    assert with_vec == total


async def test_odd_questions_do_not_break_the_meaning_path(facts: FactService) -> None:
    for question in ["", "???", "a" * 600, "‮ drop table facts; --", "Donbas " * 80]:
        answer = await facts.ask(question)
        assert answer.answer
