"""``/ask``: the short answer, quoted evidence, citations (outlet, date, link, article id) and
disagreements; every citation in a "Sources" section (behind a button on Discord)."""

from __future__ import annotations

from bot.models import Answer, Citation, Conflict
from bot.present.reply import (
    BLANK,
    Button,
    Field,
    Ident,
    Line,
    Link,
    Quote,
    Reply,
    Section,
    Strong,
)
from bot.present.text import clip, one_line

EVIDENCE_SHOWN = 3
QUOTE_CHARS = 300
ANSWER_CHARS = 1200
QUESTION_CHARS = 240  # the question is the section title (the Sources button reads it back)
NOTHING = "I have nothing on that in my sources."
SOURCES_BUTTON = Button(id="sources", label="Sources")


def citation(c: Citation) -> Line:
    head = clip(c.headline, 120) or c.publisher
    return (
        f"{c.publisher}, {c.published} — ",
        Ident(f"article {c.article_id}: "),
        Link(head, c.url),
    )


def evidence(c: Citation, number: int | None = None) -> Line:
    """A quote and, on the next line, its citation."""
    lead = f"{number}. " if number is not None else ""
    return (lead, Quote(clip(one_line(c.quote), QUOTE_CHARS)), "\n— ", *citation(c))


def conflict_lines(conflict: Conflict) -> tuple[Line, ...]:
    return tuple(
        ("• ", Strong(clip(claim.value, 80)), f" — {claim.publisher}, {claim.published}")
        for claim in conflict.claims
    )


def answer_section(answer: Answer, *, with_sources: bool = False) -> Section:
    """The answer; its best quotes as evidence, unless every source follows anyway."""
    title = clip(answer.question.strip() or "Question", QUESTION_CHARS)
    if answer.abstained:
        return Section(
            title=title,
            lines=((answer.answer or NOTHING,),),
            tone="muted",
            footer="No answer given: nothing in the sources supports one.",
        )
    shown = [] if with_sources else answer.citations[:EVIDENCE_SHOWN]
    lines: list[Line] = [(clip(answer.answer, ANSWER_CHARS),)]
    if shown:
        lines += [BLANK, (Strong("Evidence"),), *(evidence(c) for c in shown)]
    extra = len(answer.citations) - len(shown)
    return Section(
        title=title,
        lines=tuple(lines),
        fields=tuple(
            Field(f"Sources disagree: {conflict.subject}", conflict_lines(conflict))
            for conflict in answer.conflicts[:3]
        ),
        footer=f"{len(answer.citations)} source(s)"
        + (" · press Sources for all" if shown and extra > 0 else ""),
        tone="warn" if answer.conflicts else "ok",
    )


def sources_section(answer: Answer) -> Section:
    return Section(
        title="Sources",
        lines=tuple(evidence(c, i) for i, c in enumerate(answer.citations, 1)),
        spill=True,
        gap="\n\n",
    )


def sources_button(answer_id: int | None) -> Button:
    """The Sources button; with the kept answer's id it shows exactly that answer's citations."""
    if answer_id is None:
        return SOURCES_BUTTON
    return Button(id=f"sources:{answer_id}", label="Sources")


def answer_reply(
    answer: Answer, *, sources: bool = False, private: bool = False, kept: int | None = None
) -> Reply:
    """The answer: public, unless ``private`` or there is no answer (a question the sources
    cannot answer, or junk, is answered to the asker only). ``sources``: every citation follows
    (a terminal has no button); otherwise a Sources button offers them when there are any
    (``kept``: the id the answer is stored under)."""
    has_sources = not answer.abstained and bool(answer.citations)
    sections = [answer_section(answer, with_sources=sources and has_sources)]
    if sources and has_sources:
        sections.append(sources_section(answer))
    button = (sources_button(kept),) if has_sources and not sources else ()
    return Reply(sections=tuple(sections), ephemeral=private or not has_sources, buttons=button)


def sources_reply(answer: Answer) -> Reply:
    """Every citation of an answer, for the asker only."""
    if not answer.citations:
        return Reply(text=(("This answer has no sources.",),))
    return Reply(sections=(sources_section(answer),))
