from datetime import date

import pytest

from bot.facts.attribution import find_attribution
from bot.facts.dates import find_dates
from bot.facts.entities import canonical, find_entities
from bot.facts.quantities import find_quantities


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("Zelenskiy", "Zelensky"),
        ("Zelenskyy", "Zelensky"),
        ("Зеленський", "Zelensky"),
        ("Зеленский", "Zelensky"),
        ("Donbass", "Donbas"),
        ("Донбас", "Donbas"),
        ("Lugansk", "Luhansk"),
        ("Луганськ", "Luhansk"),
        ("Kiev", "Kyiv"),
        ("Київ", "Kyiv"),
        ("Путін", "Putin"),
        ("Donald Trump", "Trump"),
        ("NATO", "NATO"),
        ("the Kremlin", None),
    ],
)
def test_one_canonical_name_per_entity(alias: str, name: str | None) -> None:
    assert canonical(alias) == name


def test_entities_in_text_with_types_and_unknown_names() -> None:
    found = find_entities(
        "Anna Kelly, the deputy White House press secretary, told the FT that Volodymyr "
        "Zelenskyy met Marta Kostyuk in Kiev; tell us more."
    )
    names = {(e.name, e.type) for e in found}
    assert ("Zelensky", "person") in names
    assert ("White House", "org") in names
    assert ("Financial Times", "org") in names
    assert ("Kyiv", "place") in names
    assert any(e.name == "Marta Kostyuk" and not e.known for e in found)
    assert "United States" not in {e.name for e in found}  # lowercase "us" is a pronoun


def _q(text: str) -> list[tuple[str, float, str]]:
    return [(q.kind, q.value, q.unit) for q in find_quantities(text)]


def test_quantities() -> None:
    assert _q("Russia controls around 70% of Donetsk and approximately 90 per cent of Donbas") == [
        ("percent", 70.0, "%"),
        ("percent", 90.0, "%"),
    ]
    assert _q("a 'prosperity plan' worth an estimated $800 billion") == [("money", 800e9, "USD")]
    assert _q("the FT cited eight individuals; 250,000 civilians remain") == [
        ("count", 8.0, "individuals"),
        ("count", 250000.0, "civilians"),
    ]
    assert _q("A 50km line up to 200 meters wide after nearly four years") == [
        ("distance", 50.0, "km"),
        ("distance", 200.0, "m"),
        ("duration", 4.0, "year"),
    ]
    texts = [q.text for q in find_quantities("approximately 250,000 civilians")]
    assert texts == ["approximately 250,000 civilians"]
    assert _q("NATO's Article 5 collective defence clause") == []


PUBLISHED = date(2026, 1, 27)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("the Aug. 15 Alaska summit", date(2025, 8, 15), "day"),
        ("announced on January 25 that", date(2026, 1, 25), "day"),
        ("negotiators return on February 1", date(2026, 2, 1), "day"),
        ("a defensive bulwark since 2014", date(2014, 1, 1), "year"),
        ("90% of the region as of October 2025", date(2025, 10, 1), "month"),
        ("talks held in Abu Dhabi over the weekend", date(2026, 1, 24), "weekend"),
        ("Zelensky indicated last week that", date(2026, 1, 20), "week"),
        ("a meeting in Washington last month", date(2025, 12, 1), "month"),
        ("as early as this month", date(2026, 1, 1), "month"),
        ("he said yesterday", date(2026, 1, 26), "day"),
        ("the talks on Saturday ended", date(2026, 1, 24), "day"),
        ("Trump will host him on Monday", date(2026, 2, 2), "day"),
        ("agreed last August", date(2025, 8, 1), "month"),
    ],
)
def test_dates_absolute_and_relative(text: str, expected: date, precision: str) -> None:
    found = find_dates(text, PUBLISHED)
    assert [(d.day, d.precision) for d in found] == [(expected, precision)]


@pytest.mark.parametrize(
    ("text", "who"),
    [
        (
            "According to detailed reporting from the Financial Times, which cited eight individuals, Washington is urging Ukraine.",
            "Financial Times",
        ),
        (
            "According to officials cited by The New York Times, Donald Trump appeared to endorse it.",
            "The New York Times",
        ),
        (
            "'For us, security guarantees come first,' Zelensky told reporters in Vilnius.",
            "Zelensky",
        ),
        ("Trump could organise a meeting within a week, the people said.", "the people"),
        ("'There is enormous pressure on the Ukrainians,' said one source.", "one source"),
        ("Trump told leaders he would help, Bloomberg reported earlier.", "Bloomberg"),
        (
            "Anna Kelly, the deputy White House press secretary, strongly denied the reports.",
            "Anna Kelly",
        ),
        ("US envoy Steve Witkoff, who travelled to Moscow, stated, 'It is solvable.'", "Witkoff"),
        ("Donbas is Ukraine's industrial heartland.", None),
    ],
)
def test_attribution(text: str, who: str | None) -> None:
    assert find_attribution(text, find_entities(text)) == who


@pytest.mark.parametrize(
    ("text", "phrase", "value"),
    [
        ("Russia presently controls nearly all of Luhansk.", "nearly all", 95.0),
        ("Russia holds most of Luhansk.", "most", 70.0),
        ("It once produced over half of Ukraine's coal.", "over half", 50.0),
        ("Two-thirds of the region is occupied.", "Two-thirds", 66.7),
        ("Troops hold a third of the oblast.", "a third", 33.3),
        ("The majority of voters back talks.", "The majority", 60.0),
    ],
)
def test_shares_in_words_are_approximate_percentages(text: str, phrase: str, value: float) -> None:
    found = [q for q in find_quantities(text) if q.approx]
    assert [(q.kind, q.text, q.value) for q in found] == [("percent", phrase, value)]


def test_share_words_without_an_object_are_not_quantities() -> None:
    assert find_quantities("Most of them agreed, and most analysts doubt it.") == []
    assert not any(q.approx for q in find_quantities("The war is halfway through its fourth year."))
