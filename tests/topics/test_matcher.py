"""The compiled matcher: whole words, folding, wildcards, exclusions, explanations."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Topic
from bot.topics.matcher import Matcher, make_snippet
from bot.topics.normalize import fold


def topic(name: str, *aliases: str, all_of=(), none_of=(), id: int = 1) -> Topic:  # noqa: A002
    return Topic(id=id, name=name, any_of=aliases, all_of=all_of, none_of=none_of)


def names(m: Matcher, title: str = "", body: str = "", summary: str = "") -> list[str]:
    return [x.topic for x in m.match(title, summary, body)]


def test_whole_words_only() -> None:
    m = Matcher([topic("Donbas", "Donbas", "Donetsk")])
    assert names(m, "Donbassing around") == []
    assert names(m, "Donetskyi said") == []
    assert names(m, "The Donbas's fortress belt") == ["Donbas"]
    assert names(m, "Donetsk-based miners") == ["Donbas"]
    assert names(m, "(Donetsk)") == ["Donbas"]
    assert names(m, "DONETSK") == ["Donbas"]


def test_cyrillic_case_and_inflections() -> None:
    m = Matcher([topic("Donbas", "Донеччин*", "Донбас*", "Слов'янськ*")])
    for text in ("На Донеччині", "з Донеччини", "на Донеччину", "ДОНЕЧЧИНА", "з Донбасу"):
        assert names(m, text) == ["Donbas"], text
    for text in ("Словʼянськ", "Слов’янськ", "Слов'янську", "Словянськ"):  # apostrophe variants
        assert names(m, text) == ["Donbas"], text
    assert names(m, "Донеччанка") == []  # prefix must be the whole stem


def test_wildcards_inside_phrases_and_hyphen_space_variants() -> None:
    m = Matcher(
        [topic("SG", "гаранті* безпек*", "three-way talks", id=1), topic("T", "Chasiv Yar", id=2)]
    )
    assert names(m, "Надання гарантій безпеки Україні") == ["SG"]
    assert names(m, "гарантіями  безпеки") == ["SG"]  # double space
    assert names(m, "three way talks") == ["SG"] and names(m, "Three–way talks") == ["SG"]
    assert names(m, "fighting near Chasiv-Yar") == ["T"]
    assert names(m, "гарантії, безпеки") == []  # a comma breaks the phrase


def test_acronyms_match_case_sensitively() -> None:
    m = Matcher([topic("T", "trilateral talks", all_of=[["US", "Russia"]])])
    assert names(m, "Trilateral talks with us") == []
    assert names(m, "Trilateral talks: US optimistic") == ["T"]


def test_all_of_groups_must_each_hit_somewhere() -> None:
    m = Matcher([topic("T", "trilateral talks", all_of=[["Ukraine"], ["Abu Dhabi", "Geneva"]])])
    assert names(m, "Trilateral talks", body="Ukraine and Russia met in Geneva.") == ["T"]
    assert names(m, "Trilateral talks", body="Ukraine and Russia met.") == []


def test_exclusion_drops_overlapping_and_same_sentence_hits_only() -> None:
    m = Matcher([topic("Donbas", "Donetsk", "Donbas", none_of=["Shakhtar Donetsk"])])
    assert names(m, "Shakhtar Donetsk win again") == []
    body = "Shakhtar Donetsk won 2-1 in Lviv. Shelling continued in Donetsk overnight."
    got = m.match("Cup final", "", body)
    assert [x.matched_text for x in got] == ["Donetsk"]
    assert got[0].start == body.rindex("Donetsk")
    # A title is one sentence; a hit elsewhere in the article still counts.
    assert names(m, "Shakhtar Donetsk's Donbas roots") == []
    assert names(m, "Shakhtar Donetsk's roots", body="A club born in the Donbas.") == ["Donbas"]


def test_explanation_field_snippet_offsets() -> None:
    m = Matcher([topic("SG", "security guarantee*")])
    body = (
        ("Filler words here. " * 10)
        + "Kyiv wants security guarantees before any deal. "
        + ("More text follows. " * 10)
    )
    (match,) = m.match("Peace plan latest", "Summary without it", body)
    assert match.field == "body" and match.alias == "security guarantee*"
    assert body[match.start : match.end] == "security guarantees" == match.matched_text
    assert "**security guarantees**" in match.snippet
    assert match.snippet.startswith("…") and match.snippet.endswith("…")
    assert len(match.snippet) <= 170
    inner = match.snippet.strip("…")
    assert inner.split()[0] in body.split() and inner.split()[-1] in body.split()  # whole words

    # Title beats summary beats body; hits are counted across fields.
    (t,) = m.match("Security guarantee talks", "security guarantees", body)
    assert t.field == "title" and t.snippet == "**Security guarantee** talks" and t.hits == 3
    (s,) = m.match("Peace plan", "EU discusses security guarantees", "")
    assert s.field == "summary"


def test_offsets_survive_text_that_changes_length_when_folded() -> None:
    m = Matcher([topic("D", "Donbass", id=1), topic("S", "Straße", id=2)])
    text = "İstanbul\u00ad talks: the Stra\u200bße\u00a0 to Donbass, Weißbuch"
    got = {x.topic: x for x in m.match("", "", text)}
    assert text[got["D"].start : got["D"].end] == "Donbass"
    assert got["S"].matched_text == "Stra\u200bße"
    f = fold("İİ Straße  Donbass")
    assert f.folded == "i̇i̇ straße donbass"
    assert f.original[f.to_original(12) : f.to_original(19)] == "Donbass"


def test_sharp_s_and_ss_match_each_other() -> None:
    m = Matcher([topic("S", "Straße", id=1)])
    assert names(m, "STRASSE gesperrt") == ["S"] and names(m, "Die Straße") == ["S"]


def test_one_best_match_per_topic_in_topic_order() -> None:
    m = Matcher([topic("A", "Donbas", id=1), topic("B", "Donetsk", "Donbas", id=2)])
    got = m.match("Donetsk and Donbas", "", "")
    assert [(x.topic, x.alias) for x in got] == [("A", "Donbas"), ("B", "Donetsk")]


def test_empty_matcher_and_empty_text() -> None:
    assert Matcher([]).match("Donbas", "", "") == []
    assert Matcher([topic("A", "Donbas")]).match("", "", "") == []


def test_snippet_short_text_is_whole() -> None:
    assert make_snippet("Hit here", 0, 3) == "**Hit** here"


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("Donbasдонецькß'’ʼ- .\n*İı\u0301\u00ad"), max_size=300),
)
def test_arbitrary_text_never_crashes(title: str, body: str) -> None:
    m = _FUZZ
    for match in m.match(title, body, body + title):
        raw = {"title": title, "summary": body, "body": body + title}[match.field]
        text = unicodedata.normalize("NFC", raw)  # offsets refer to the NFC form
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start : match.end] == match.matched_text
        assert f"**{' '.join(match.matched_text.split())}**" in match.snippet


_FUZZ = Matcher(
    [
        topic("A", "Donbas", "Донецьк*", "Straße", "ss", id=1, none_of=["Donbas'"]),
        topic("B", "гаранті* безпек*", "US", "İstanbul", id=2, all_of=[["ß", "Donbas"]]),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Donbas",
                "Донецьку",
                "гарантій",
                "безпеки",
                "U.S.",
                "US",
                "us",
                "Straße",
                "ss",
                "three",
                "way",
                "talks",
                " ",
                "  ",
                "\n",
                "-",
                "–",
                ",",
                ".",
                "’",
                "«",
                "»",
                "x",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_fast_and_slow_folding_paths_agree(text: str) -> None:
    # A trailing "İ" (lower-cases to two characters) forces the slow path; both must find the
    # same hits in the same places.
    m = _PATHS
    fast = [(x.topic, x.matched_text, x.start) for x in m.match("", "", text)]
    slow = [(x.topic, x.matched_text, x.start) for x in m.match("", "", text + " İ")]
    assert fast == slow


_PATHS = Matcher(
    [
        topic("A", "Donbas", "Донецьк*", "Straße", id=1),
        topic("B", "гаранті* безпек*", "three-way talks", id=2),
        topic("C", "U.S.", "US", id=3),
    ]
)
