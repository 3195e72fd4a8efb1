"""Story grouping as an editor sees it: same news together, different news apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import StoryDoc
from bot.seeds import load_seed_articles
from bot.settings import PROJECT_ROOT
from bot.stories.grouper import group_articles
from tests.stories.pairs import DIFFERENT, SAME, Item

T0 = datetime(2026, 1, 27, 9, 0, tzinfo=UTC)


def doc(id_: str, title: str, text: str, outlet: str, hours: float = 0, url: str | None = None):
    return StoryDoc(
        id=id_,
        title=title,
        text=text,
        outlet=outlet,
        published=T0 + timedelta(hours=hours),
        url=url,
    )


def labelled_batch() -> tuple[list[StoryDoc], list[tuple[str, str, str, str]]]:
    """Every labelled item in one batch (as a day of feeds would be), and the pairs by id."""
    ids: dict[int, str] = {}
    docs: list[StoryDoc] = []

    def register(item: Item) -> str:
        if id(item) not in ids:
            ids[id(item)] = f"item{len(ids)}"
            docs.append(
                StoryDoc(
                    id=ids[id(item)],
                    title=item.title,
                    text=item.text,
                    outlet=item.outlet,
                    published=item.published,
                )
            )
        return ids[id(item)]

    pairs = [
        (label, name, register(a), register(b))
        for label, group in (("same", SAME), ("different", DIFFERENT))
        for name, a, b in group
    ]
    return docs, pairs


def test_labelled_pairs_precision_is_perfect_and_recall_high() -> None:
    docs, pairs = labelled_batch()
    assert len(pairs) >= 20
    stories = group_articles(docs)
    merged_wrongly = [
        n for label, n, a, b in pairs if label == "different" and stories[a] == stories[b]
    ]
    same = [(n, stories[a] == stories[b]) for label, n, a, b in pairs if label == "same"]
    recall = sum(ok for _, ok in same) / len(same)
    assert merged_wrongly == []
    # Measured 11/14 = 0.79: the three missed are paraphrases sharing no figure (precision first).
    assert recall >= 0.75, [n for n, ok in same if not ok]


def test_seed_002_and_003_are_one_story_and_the_august_seeds_are_not_in_it() -> None:
    articles = load_seed_articles(PROJECT_ROOT / "seeds")
    docs = [
        StoryDoc(
            id=a.entry_key.removeprefix("seed:")[:3],
            title=a.title,
            text=a.text,
            outlet=a.publisher,
            published=a.published,
        )
        for a in articles
    ]
    stories = group_articles(docs)
    assert stories["002"] == stories["003"]
    for other in ("000", "001", "004"):
        assert stories[other] != stories["002"]
    assert stories["001"] != stories["004"]


def test_donbas_stories_in_one_week_stay_apart() -> None:
    stories = group_articles(
        [
            doc(
                "shelling",
                "Russia shells Kramatorsk, killing three",
                "Russian artillery shelled the centre of Kramatorsk in the Donbas on Tuesday, "
                "killing three civilians and damaging a hospital, the regional governor said.",
                "Reuters",
            ),
            doc(
                "guarantees",
                "US ties security guarantees to Donbas withdrawal",
                "Washington has told Kyiv that US security guarantees will follow only once "
                "Ukraine agrees to withdraw its troops from the Donbas, people familiar with the "
                "talks said.",
                "Financial Times",
                hours=20,
            ),
        ]
    )
    assert stories["shelling"] != stories["guarantees"]


WIRE = (
    "Ukraine's parliament approves 2026 budget with record defence spending",
    "KYIV, Dec 3 (Reuters) - Ukraine's parliament on Wednesday approved the 2026 state budget, "
    "allocating a record 2.8 trillion hryvnias to defence and security, the finance ministry "
    "said. The budget deficit is projected at 18.4% of gross domestic product.",
)


def test_wire_copy_on_three_sites_is_one_story_with_three_outlets() -> None:
    title, text = WIRE
    stories = group_articles(
        [
            doc("reuters", title, text, "Reuters"),
            doc("yahoo", title, text + " (Reporting by Max Hunder)", "Yahoo News", hours=1),
            doc("usnews", title.replace("approves", "passes"), text, "US News", hours=2),
        ]
    )
    assert len(set(stories.values())) == 1
    assert stories["yahoo"] == "reuters"  # the story key is its first article


def test_same_page_scraped_twice_joins_by_url_even_when_edited() -> None:
    stories = group_articles(
        [
            doc(
                "a",
                "Explosions heard in Kyiv",
                "Air defence active.",
                "Kyiv Post",
                url="https://x/1",
            ),
            doc(
                "b",
                "Russia launches ballistic missiles at Kyiv; two injured",
                "Updated: two people were injured by debris in the Darnytskyi district.",
                "Kyiv Post",
                hours=1,
                url="https://x/1",
            ),
        ]
    )
    assert stories["a"] == stories["b"]


def test_headline_only_rewrite_joins() -> None:
    title, text = WIRE
    stories = group_articles(
        [
            doc("a", title, text, "Ukrainska Pravda"),
            doc(
                "b",
                "Rada passes wartime budget: 2.8 trillion for the army",
                text,
                "Ukrainska Pravda",
                3,
            ),
        ]
    )
    assert stories["a"] == stories["b"]


def test_articles_outside_the_time_window_join_only_as_exact_copies() -> None:
    # Issue 14: an exact copy joins whatever its date; a rewrite outside the window does not.
    title, text = WIRE
    rewrite = text.replace("on Wednesday approved", "approved on Wednesday") + " More soon."
    copies = group_articles(
        [doc("a", title, text, "Reuters"), doc("b", title, text, "Yahoo News", hours=24 * 30)],
        window_hours=72,
    )
    assert copies["a"] == copies["b"]
    rewrites = group_articles(
        [doc("a", title, text, "Reuters"), doc("c", title, rewrite, "AP", hours=24 * 30)],
        window_hours=72,
    )
    assert rewrites["a"] != rewrites["c"]


def test_grouping_does_not_depend_on_input_order() -> None:
    docs, _ = labelled_batch()
    assert group_articles(list(reversed(docs))) == group_articles(docs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=25))
def test_every_story_is_keyed_by_its_earliest_member(picks: list[int]) -> None:
    docs, _ = labelled_batch()
    chosen = list({d.id: d for d in (docs[i % len(docs)] for i in picks)}.values())
    stories = group_articles(chosen)
    assert set(stories) == {d.id for d in chosen}
    by_id = {d.id: d for d in chosen}
    for item, key in stories.items():
        assert key in stories and stories[key] == key  # the key is a member: the first one
        assert by_id[key].published <= by_id[item].published


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_batches(n: int) -> None:
    title, text = WIRE
    docs = [doc(f"d{i}", title, text, "Reuters") for i in range(n)]
    assert group_articles(docs) == {d.id: d.id for d in docs}


def test_one_outlets_numbered_series_stays_apart() -> None:
    text = (
        "The OSCE Special Monitoring Mission recorded ceasefire violations in Donetsk and "
        "Luhansk regions and continued to monitor the disengagement areas, the mission said."
    )
    stories = group_articles(
        [
            doc("r218", "OSCE SMM Daily Report 218/2020", text, "OSCE"),
            doc("r219", "OSCE SMM Daily Report 219/2020", text + " Updated.", "OSCE", hours=24),
        ]
    )
    assert stories["r218"] != stories["r219"]


def test_one_outlets_stories_on_one_event_stay_apart() -> None:
    """The heat and the final of one race, from one outlet: two stories."""
    a = doc(
        "a",
        "Tebogo wins stunning 200m as Lyles is denied double",
        "Botswana's Letsile Tebogo claims a surprise 200m gold as American Noah Lyles is denied "
        "an Olympic sprint double at Paris 2024.",
        "BBC",
    )
    c = doc(
        "c",
        "Lyles sets up shot at Olympic sprint double in 200m",
        "American Noah Lyles will have the chance to become the first man since Usain Bolt to "
        "complete an Olympic sprint double after qualifying for the 200m final at Paris 2024.",
        "BBC",
        hours=-30,
    )
    stories = group_articles([a, c])
    assert stories["a"] != stories["c"]


def test_identical_headlines_from_one_site_join_but_not_a_numbered_series() -> None:
    # Issue 14: one site's copies of a page with the same headline join.
    title = "Ukraine's parliament approves 2026 budget with record defence spending"
    stories = group_articles(
        [
            doc("a", title, "The budget passed on Wednesday after a long debate.", "example.org"),
            doc("b", title, "Lawmakers voted for it; the details follow below.", "example.org", 2),
            doc("c", "Donetsk update number 3", "Shelling went on.", "example.org", 3),
            doc("d", "Donetsk update number 4", "Shelling went on.", "example.org", 4),
        ]
    )
    assert stories["a"] == stories["b"]
    assert stories["c"] != stories["d"]


def test_outlets_compare_without_scheme_and_www() -> None:
    from bot.stories.grouper import normalise_outlet

    assert normalise_outlet("https://www.Example.org/feed.xml") == "example.org"
    assert normalise_outlet("www.example.org") == normalise_outlet("example.org")
    assert normalise_outlet("Reuters") == "reuters"


def test_site_suffix_and_demonyms_are_not_name_conflicts() -> None:
    from bot.stories.features import extract, strip_site

    assert strip_site("EU lawmaker urges freeze of US trade deal | Euractiv") == (
        "EU lawmaker urges freeze of US trade deal"
    )
    assert strip_site("Ukraine | live") == "Ukraine | live"  # too little before the bar
    assert "euractiv" not in extract("EU lawmaker urges freeze of trade deal | Euractiv", "").terms
    stories = group_articles(
        [
            doc(
                "a",
                "Russian and Belarusian athletes barred from the Winter Paralympics",
                "Athletes from Russia and Belarus will not compete at the Winter Paralympics in "
                "Beijing after teams threatened a boycott, the International Paralympic "
                "Committee said on Thursday.",
                "CNN",
            ),
            doc(
                "b",
                "Russia and Belarus athletes banned from Winter Paralympics",
                "Russian and Belarusian athletes will not be allowed to compete at the Winter "
                "Paralympics in Beijing, the International Paralympic Committee says, after "
                "teams threatened a boycott.",
                "BBC",
                hours=3,
            ),
        ]
    )
    assert stories["a"] == stories["b"]
