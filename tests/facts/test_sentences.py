from bot.facts.sentences import split_article, split_sentences


def test_abbreviations_initials_and_decimals_do_not_split() -> None:
    text = (
        "Putin outlined a plan at the Aug. 15 Alaska summit. European and U.S. media agreed. "
        "Dr. Smith met J. R. Jones at No. 10 Downing St. on a 2.5 km walk. It ended."
    )
    assert split_sentences(text) == [
        "Putin outlined a plan at the Aug. 15 Alaska summit.",
        "European and U.S. media agreed.",
        "Dr. Smith met J. R. Jones at No. 10 Downing St. on a 2.5 km walk.",
        "It ended.",
    ]


def test_quotes_and_question_marks_end_sentences() -> None:
    text = (
        "Trump said “it was determined by all” that peace was best. “Not a mere Ceasefire.” "
        "Will it hold? 'There is enormous pressure,' said one source."
    )
    assert split_sentences(text) == [
        "Trump said “it was determined by all” that peace was best.",
        "“Not a mere Ceasefire.”",
        "Will it hold?",
        "'There is enormous pressure,' said one source.",
    ]


def test_us_at_sentence_end_splits_before_a_sentence_starter() -> None:
    assert split_sentences("The talks were held in the U.S. The next round is in Abu Dhabi.") == [
        "The talks were held in the U.S.",
        "The next round is in Abu Dhabi.",
    ]


def test_headings_bullets_and_boilerplate() -> None:
    text = "\n".join(
        [
            "What was put on the table in Alaska",
            "Putin outlined a plan. Trump appeared to endorse it.",
            "us-ukraine-donbas-peace-deal-security",
            "Facebook X LinkedIn Bluesky WhatsApp",
            "- Kyiv insists on guarantees",
            "• Europe backs Kyiv.",
            "Comments",
            "Post a Comment",
        ]
    )
    units = split_article("Anchorage fallout", text)
    assert [(u.kind, u.text) for u in units] == [
        ("title", "Anchorage fallout"),
        ("heading", "What was put on the table in Alaska"),
        ("sentence", "Putin outlined a plan."),
        ("sentence", "Trump appeared to endorse it."),
        ("sentence", "Kyiv insists on guarantees"),
        ("sentence", "Europe backs Kyiv."),
    ]
    assert units[2].section == "What was put on the table in Alaska"


def test_related_tail_is_dropped() -> None:
    text = "Kyiv rejects the plan.\n\nRelated\n\nukraine-donetsk-zone\nWar\n\nUkraine Proposes Zone\n\nMore text."
    assert [u.text for u in split_article("", text)] == ["Kyiv rejects the plan."]
