"""The shipped topics on a second set of realistic headlines and ledes, aimed at the context
rules: other countries' security guarantees and other countries' trilaterals must stay quiet
unless the article is also about Ukraine; headline-only feed items about the US-Russia-Ukraine
talks must still alert when they name the talks' venue, negotiators or deal.
"""

from __future__ import annotations

import pytest

from bot.models import Topic
from bot.settings import PROJECT_ROOT
from bot.topics.matcher import Matcher
from bot.topics.service import read_seed_topics

DON, SG, TRI = "Donbas", "security guarantees", "trilateral talks"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    rules = read_seed_topics(PROJECT_ROOT / "seeds" / "topics.json")
    return Matcher(
        [
            Topic(id=i, name=r.name, any_of=r.any_of, all_of=r.all_of, none_of=r.none_of)
            for i, r in enumerate(rules, 1)
        ]
    )


# (title, summary or lede, expected topics)
CASES: list[tuple[str, str, set[str]]] = [
    # --- security guarantees for other countries: quiet ---
    ("US security guarantees for Israel", "", set()),
    (
        "Washington weighs new security guarantees for Israel",
        "The package would deepen a defence pact signed after the Gaza ceasefire, officials said.",
        set(),
    ),
    (
        "Saudi defence pact: what a US security guarantee would mean for Riyadh",
        "A treaty would commit America to defend the kingdom.",
        set(),
    ),
    ("Tokyo and Seoul seek firmer US security commitments under Trump", "", set()),
    (
        "Gulf states press Washington for written security assurances",
        "Qatar and the UAE want a binding pledge after the strike on Doha.",
        set(),
    ),
    ("Armenia asks EU for security guarantees amid Azerbaijan tensions", "", set()),
    (
        "Trump's Article 5 commitment questioned at NATO summit",
        "Allies in the Baltics seek reassurance over America's security commitment to Europe.",
        set(),
    ),
    ("Philippines, US reaffirm security commitments in South China Sea", "", set()),
    ("Social security guarantee for pensioners extended to 2030", "", set()),
    ("Cyber security guarantees for cloud contracts tightened", "", set()),
    ("США нададуть Ізраїлю нові гарантії безпеки", "", set()),
    ("Гарантии безопасности Израилю обсудили в Вашингтоне", "", set()),
    (
        "Netanyahu hails new US defence pact",
        "Washington will extend security guarantees to Israel. The deal comes as Ukraine talks stall.",
        set(),
    ),
    ("Witkoff floats security guarantees for Iran in nuclear deal", "", set()),
    ("Kushner's Gaza plan offers Hamas fighters security guarantees", "", set()),
    ("Russia seeks security guarantees for its Syrian bases", "", set()),
    # Guarantees Russia demands for itself are not the beat (issue 14's rules): a referent check.
    ("Russia demands security guarantees from NATO before any ceasefire", "", set()),
    # --- security guarantees for Ukraine: alert ---
    (
        "Week in diplomacy",
        "Washington will extend security guarantees to Israel. Separately, Kyiv says its own "
        "security guarantees are nearly agreed.",
        {SG},
    ),
    (
        "Security guarantees 'almost finalised', Witkoff says after Berlin meeting",
        "",
        {SG},
    ),
    (
        "Security guarantees: what is on the table",
        "European leaders and Kyiv are close to a deal on postwar protection.",
        {SG},
    ),
    (
        "Macron and Starmer host coalition of the willing in Paris",
        "Leaders discussed the reassurance force and US backstop.",
        {SG},
    ),
    (
        "Israel-style security guarantees floated for Kyiv",
        "Officials said the model could give Ukraine a qualitative military edge.",
        {SG},
    ),
    (
        "Europe offers Article 5-like protection as peace talks advance",
        "The proposal would see allies respond if Russia attacks again.",
        {SG},
    ),
    ("Zelensky wants security guarantees ratified by Congress", "", {SG}),
    ("Гарантії безпеки: Умєров розповів про домовленості в Берліні", "", {SG}),
    ("Гарантии безопасности для Украины обсудят в Париже", "", {SG}),
    ("Сибіга: гарантії безпеки мають працювати 15 років", "", {SG}),
    (
        "Israel and Ukraine: two models of US security guarantees",
        "Kyiv wants a pact similar to Washington's commitments to Israel.",
        {SG},
    ),
    # --- trilateral talks: US-Russia-Ukraine, alert ---
    ("US-brokered trilateral talks yield prisoner swap deal", "", {TRI}),
    ("Trilateral talks resume in Abu Dhabi after weekend break", "", {TRI}),
    ("Second day of trilateral talks in Geneva ends, Umerov says", "", {TRI}),
    ("Witkoff and Kushner to lead US side in next trilateral meeting", "", {TRI}),
    ("Trilateral talks: sides agree on 314 prisoner exchange", "", {TRI}),
    ("Budanov joins Ukrainian delegation for trilateral talks", "", {TRI}),
    ("Тристоронні переговори: наступний раунд може відбутися у Стамбулі", "", {TRI}),
    ("Песков: трехсторонняя встреча в Абу-Даби завершилась", "", {TRI}),
    ("Kremlin says trilateral format 'useful' but no ceasefire yet", "", {TRI}),
    (
        "Trilateral talks end without deal on energy truce",
        "Negotiators from Kyiv and Moscow will meet again next week.",
        {TRI},
    ),
    # --- other trilaterals: quiet ---
    ("US, Japan, South Korea hold trilateral talks on North Korea missiles", "", set()),
    ("Trump proposes trilateral nuclear talks with Russia and China", "", set()),
    ("Трамп предложил трехсторонние переговоры по ядерному оружию с Россией и Китаем", "", set()),
    ("US-brokered trilateral talks between Armenia and Azerbaijan set for Washington", "", set()),
    ("Trilateral meeting on Gaza hostages held in Cairo with Qatar and Egypt", "", set()),
    ("Rwanda, DR Congo and US hold trilateral meeting on minerals deal", "", set()),
    ("Trilateral summit of Mexico, Canada and US to review USMCA", "", set()),
    ("Greece, Cyprus and Egypt hold trilateral summit in Athens", "", set()),
    ("Trilateral talks on Lebanon border stall", "", set()),
    # --- Donbas, for balance ---
    ("Russia demands Ukraine withdraw from Donetsk region before trilateral talks", "", {DON, TRI}),
    ("Shakhtar Donetsk sign Brazilian winger", "", set()),
    ("Росія вимагає вивести війська з Донбасу як умову гарантій безпеки", "", {DON, SG}),
]


@pytest.mark.parametrize(("title", "summary", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_headline_with_context(
    matcher: Matcher, title: str, summary: str, expected: set[str]
) -> None:
    got = {m.topic for m in matcher.match(title, summary, "")}
    assert got == expected


def test_the_set_is_big_and_balanced() -> None:
    assert len(CASES) >= 40
    assert sum(1 for *_, e in CASES if not e) >= 15
