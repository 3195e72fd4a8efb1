"""A labelled set of article pairs for story grouping, written to look like real coverage.

SAME: one event told by two outlets (rewritten, not copied: different words, order, detail).
DIFFERENT: two stories on the same topic within a few days of each other (same places,
same people, same vocabulary) that an editor would never call one story.

Texts are headline + the opening of the article, as feeds carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Item:
    outlet: str
    published: datetime
    title: str
    text: str


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


SAME: list[tuple[str, Item, Item]] = [
    (
        "kramatorsk strike",
        Item(
            "Reuters",
            at("2026-01-28", 7),
            "Russian missile strike on Kramatorsk kills four, injures 19",
            "A Russian missile struck a residential area of Kramatorsk in eastern Ukraine on "
            "Wednesday morning, killing four people and wounding 19, regional governor Vadym "
            "Filashkin said. Rescuers were searching the rubble of a five-storey building.",
        ),
        Item(
            "Kyiv Independent",
            at("2026-01-28", 9),
            "Four killed as Russia hits apartment block in Kramatorsk",
            "Four civilians were killed and 19 injured when a Russian Iskander missile hit a "
            "five-storey apartment building in Kramatorsk, Donetsk Oblast Governor Vadym "
            "Filashkin reported. Emergency workers continue to clear debris.",
        ),
    ),
    (
        "ft security guarantees",
        Item(
            "The Guardian",
            at("2026-01-27", 10),
            "US makes security guarantees for Ukraine conditional on ceding Donbas, FT reports",
            "Washington has told Kyiv that American security guarantees depend on Ukraine first "
            "agreeing a peace deal that would hand the rest of the Donbas to Russia, the "
            "Financial Times reported, citing eight people familiar with the talks.",
        ),
        Item(
            "Euronews",
            at("2026-01-27", 15),
            "Report: Trump administration links Ukraine guarantees to Donbas withdrawal",
            "The Trump administration is tying its security guarantees for Ukraine to Kyiv "
            "withdrawing troops from the parts of Donbas it still controls, according to the "
            "Financial Times, which spoke to eight people involved in the negotiations.",
        ),
    ),
    (
        "abu dhabi talks start",
        Item(
            "AP",
            at("2026-01-24", 8),
            "US, Russian and Ukrainian officials open first trilateral talks in Abu Dhabi",
            "Delegations from the United States, Russia and Ukraine sat down together in Abu "
            "Dhabi on Saturday for the first three-way talks since the full-scale invasion, "
            "with US envoy Steve Witkoff chairing the session, officials said.",
        ),
        Item(
            "BBC",
            at("2026-01-24", 11),
            "Ukraine war: First three-way US-Russia-Ukraine meeting held in UAE",
            "Envoys from Washington, Moscow and Kyiv have met in the United Arab Emirates capital "
            "Abu Dhabi, the first trilateral talks of the war. Steve Witkoff led the US side; "
            "Ukraine was represented by Rustem Umerov.",
        ),
    ),
    (
        "zaporizhzhia plant power",
        Item(
            "Reuters",
            at("2026-02-03", 6),
            "Zaporizhzhia nuclear plant loses external power for 12th time, IAEA says",
            "The Russian-occupied Zaporizhzhia nuclear power plant lost all off-site power "
            "overnight and switched to emergency diesel generators, the International Atomic "
            "Energy Agency said, the 12th such blackout since the war began.",
        ),
        Item(
            "Ukrainska Pravda",
            at("2026-02-03", 9),
            "ZNPP on diesel generators again after blackout - IAEA",
            "Europe's largest nuclear plant, Zaporizhzhia, is running on diesel generators after "
            "its last external power line was cut, IAEA chief Rafael Grossi said. It is the 12th "
            "complete loss of off-site power at the occupied station.",
        ),
    ),
    (
        "prisoner exchange",
        Item(
            "Ukrinform",
            at("2026-02-05", 14),
            "Ukraine brings home 157 defenders in new prisoner exchange",
            "One hundred and fifty-seven Ukrainian servicemen returned home on Thursday in an "
            "exchange of prisoners with Russia mediated by the United Arab Emirates, President "
            "Volodymyr Zelensky said.",
        ),
        Item(
            "The Moscow Times",
            at("2026-02-05", 16),
            "Russia and Ukraine swap 157 prisoners each in UAE-brokered deal",
            "Russia and Ukraine exchanged 157 prisoners of war each on Thursday, the Russian "
            "Defence Ministry said, thanking the UAE for its mediation. The soldiers will be "
            "treated in Belarus before returning to Russia.",
        ),
    ),
    (
        "eu sanctions package",
        Item(
            "Politico Europe",
            at("2026-02-10", 8),
            "EU proposes 20th sanctions package targeting Russia's shadow fleet",
            "The European Commission on Tuesday proposed a 20th package of sanctions against "
            "Russia, listing another 120 shadow-fleet tankers and banning maritime services for "
            "Russian crude, Commission President Ursula von der Leyen said.",
        ),
        Item(
            "Deutsche Welle",
            at("2026-02-10", 13),
            "Von der Leyen unveils new Russia sanctions aimed at oil tankers",
            "Brussels wants to blacklist 120 more vessels of Moscow's so-called shadow fleet "
            "under a 20th round of sanctions presented by Ursula von der Leyen, who also "
            "proposed a full ban on maritime services for Russian oil.",
        ),
    ),
    (
        "kyiv energy attack",
        Item(
            "Kyiv Independent",
            at("2026-01-20", 6),
            "Massive Russian attack leaves half of Kyiv without heating in -15C frost",
            "Russia launched 339 drones and 34 missiles overnight, targeting energy "
            "infrastructure; about half of Kyiv's apartment buildings are without heating as "
            "temperatures fall to minus 15 Celsius, Mayor Vitali Klitschko said.",
        ),
        Item(
            "CNN",
            at("2026-01-20", 10),
            "Kyiv residents freeze after Russia pounds power grid with hundreds of drones",
            "Hundreds of thousands of people in Kyiv were left without heat after Russia fired "
            "339 drones and 34 missiles at Ukraine's energy system overnight, according to the "
            "Ukrainian air force, as the capital endures temperatures of minus 15C. Klitschko "
            "said repairs could take days.",
        ),
    ),
    (
        "wire copy",
        Item(
            "Reuters",
            at("2026-02-12", 9),
            "Ukraine's central bank holds key rate at 15.5%",
            "KYIV, Feb 12 (Reuters) - Ukraine's central bank kept its main interest rate "
            "unchanged at 15.5% on Thursday, citing persistent inflation risks and "
            "uncertainty over foreign financing, it said in a statement.",
        ),
        Item(
            "Yahoo Finance",
            at("2026-02-12", 10),
            "Ukraine's central bank holds key rate at 15.5%",
            "KYIV, Feb 12 (Reuters) - Ukraine's central bank kept its main interest rate "
            "unchanged at 15.5% on Thursday, citing persistent inflation risks and "
            "uncertainty over foreign financing, it said in a statement. (Reporting by Olena "
            "Harmash; Editing by Alex Richardson)",
        ),
    ),
    (
        "headline rewrite",
        Item(
            "Ukrainska Pravda",
            at("2026-01-30", 12),
            "Zelensky: Energy ceasefire must be mutual and verifiable",
            "President Volodymyr Zelensky said any pause in strikes on energy infrastructure "
            "must apply to both sides and be monitored by the United States, after Moscow "
            "proposed a one-week moratorium on attacks on power plants.",
        ),
        Item(
            "Ukrainska Pravda",
            at("2026-01-30", 14),
            "Zelensky responds to Moscow's proposal of one-week energy truce",
            "President Volodymyr Zelensky said any pause in strikes on energy infrastructure "
            "must apply to both sides and be monitored by the United States, after Moscow "
            "proposed a one-week moratorium on attacks on power plants.",
        ),
    ),
    (
        "pokrovsk claim",
        Item(
            "TASS",
            at("2026-02-01", 8),
            "Russian Defence Ministry claims full control of Pokrovsk",
            "Russian forces have taken full control of the city of Pokrovsk in the Donetsk "
            "region, the Defence Ministry in Moscow said on Sunday, calling it a key logistics "
            "hub of the Ukrainian army.",
        ),
        Item(
            "Kyiv Independent",
            at("2026-02-01", 12),
            "Ukraine's military denies Russian claims of capturing Pokrovsk",
            "Ukraine's General Staff rejected Moscow's claim that Russian troops have captured "
            "Pokrovsk in Donetsk Oblast, saying fighting continues in the northern districts of "
            "the city, a former logistics hub for Ukrainian forces.",
        ),
    ),
    (
        "witkoff moscow visit",
        Item(
            "Reuters",
            at("2026-01-22", 18),
            "Putin meets Witkoff and Kushner in the Kremlin for late-night talks on Ukraine",
            "Russian President Vladimir Putin received U.S. envoy Steve Witkoff and Jared "
            "Kushner at the Kremlin on Thursday for talks on a Ukraine settlement that lasted "
            "almost four hours, Kremlin aide Yuri Ushakov said.",
        ),
        Item(
            "Meduza",
            at("2026-01-23", 7),
            "Ushakov: Putin's four-hour meeting with Witkoff and Kushner was 'useful'",
            "Kremlin foreign policy aide Yuri Ushakov described Vladimir Putin's nearly "
            "four-hour meeting with Steve Witkoff and Jared Kushner in Moscow as useful and "
            "frank, and said the sides agreed to continue contacts on a Ukraine settlement.",
        ),
    ),
    (
        "odesa port strike",
        Item(
            "Suspilne",
            at("2026-02-07", 7),
            "Drone attack on Odesa port damages grain terminal, two injured",
            "Russian drones hit port infrastructure in Odesa overnight, damaging a grain "
            "terminal and a civilian vessel, Odesa Oblast Governor Oleh Kiper said. Two port "
            "workers were injured.",
        ),
        Item(
            "Al Jazeera",
            at("2026-02-07", 11),
            "Russian drones strike Odesa grain terminal, injuring two workers",
            "Two workers were hurt when Russian attack drones struck a grain terminal in the "
            "Black Sea port of Odesa overnight, damaging storage facilities and a civilian ship "
            "docked nearby, Governor Oleh Kiper said on Telegram.",
        ),
    ),
    (
        "coalition of willing paris",
        Item(
            "France 24",
            at("2026-01-06", 17),
            "Coalition of the willing signs Paris declaration on post-ceasefire force for Ukraine",
            "Leaders of the so-called coalition of the willing signed a declaration in Paris on "
            "Tuesday committing to deploy a multinational force to Ukraine after a ceasefire, "
            "with France and Britain to lead, Emmanuel Macron announced.",
        ),
        Item(
            "Sky News",
            at("2026-01-06", 19),
            "Starmer and Macron pledge troops for Ukraine once ceasefire agreed",
            "Britain and France will lead a multinational force to be deployed in Ukraine after "
            "a ceasefire, Keir Starmer and Emmanuel Macron said after coalition of the willing "
            "talks in Paris, where a declaration of intent was signed.",
        ),
    ),
    (
        "belgorod blackout",
        Item(
            "The Moscow Times",
            at("2026-02-14", 8),
            "Ukrainian strike leaves Belgorod without power and heating",
            "A Ukrainian missile attack damaged energy facilities in the Russian border city of "
            "Belgorod overnight, leaving tens of thousands of residents without electricity and "
            "heating, regional governor Vyacheslav Gladkov said.",
        ),
        Item(
            "Reuters",
            at("2026-02-14", 10),
            "Tens of thousands without electricity in Russia's Belgorod after Ukrainian attack",
            "Ukrainian missiles struck power infrastructure in Belgorod, cutting electricity and "
            "heat to tens of thousands of people, Governor Vyacheslav Gladkov said on Saturday.",
        ),
    ),
]


DIFFERENT: list[tuple[str, Item, Item]] = [
    (
        "kramatorsk strike vs guarantees (brief example)",
        SAME[0][1],
        SAME[1][1],
    ),
    (
        "kramatorsk strike vs sloviansk strike",
        SAME[0][1],
        Item(
            "Reuters",
            at("2026-01-29", 8),
            "Russian drone attack on Sloviansk kills two, damages school",
            "Russian drones struck the city of Sloviansk in eastern Ukraine overnight, killing "
            "two people and damaging a school and several homes, Donetsk regional governor "
            "Vadym Filashkin said on Thursday.",
        ),
    ),
    (
        "guarantees report vs zelensky davos",
        SAME[1][1],
        Item(
            "Ukrinform",
            at("2026-01-25", 13),
            "Zelensky says security guarantees document with US is '100% ready'",
            "The document on security guarantees between Ukraine and the United States is 100 "
            "percent ready and awaits a date and place for signing, President Volodymyr "
            "Zelensky told reporters in Vilnius.",
        ),
    ),
    (
        "abu dhabi round one vs round two",
        SAME[2][1],
        Item(
            "AP",
            at("2026-01-31", 9),
            "Second round of US-Russia-Ukraine talks postponed to February 1",
            "A second round of trilateral talks between the United States, Russia and Ukraine "
            "in Abu Dhabi has been pushed back by a day to February 1, officials said, as "
            "negotiators struggle over territory in the Donbas.",
        ),
    ),
    (
        "abu dhabi talks vs energy truce",
        SAME[2][2],
        SAME[8][1],
    ),
    (
        "prisoner exchange vs bodies repatriation",
        SAME[4][1],
        Item(
            "Ukrinform",
            at("2026-02-06", 15),
            "Bodies of 1,000 fallen soldiers returned to Ukraine",
            "Ukraine received the bodies of 1,000 soldiers killed in the war as part of a "
            "repatriation agreed with Russia, the Coordination Headquarters for the Treatment of "
            "Prisoners of War said on Friday.",
        ),
    ),
    (
        "eu package proposed vs blocked by hungary",
        SAME[5][1],
        Item(
            "Politico Europe",
            at("2026-02-13", 9),
            "Hungary blocks EU's Russia sanctions renewal over gas transit",
            "Hungary vetoed the six-monthly extension of EU sectoral sanctions on Russia at a "
            "meeting of ambassadors on Friday, demanding guarantees on gas transit, diplomats "
            "said. Prime Minister Viktor Orban's government has repeatedly held up sanctions.",
        ),
    ),
    (
        "kyiv energy attack vs kharkiv energy attack",
        SAME[6][1],
        Item(
            "Kyiv Independent",
            at("2026-01-22", 6),
            "Russian strike on Kharkiv power plant cuts electricity to 200,000",
            "Russia hit a thermal power plant in Kharkiv with ballistic missiles overnight, "
            "leaving about 200,000 households without electricity, Mayor Ihor Terekhov said. "
            "Temperatures in the city dropped to minus 12 Celsius.",
        ),
    ),
    (
        "central bank rate vs inflation data",
        SAME[7][1],
        Item(
            "Reuters",
            at("2026-02-09", 9),
            "Ukraine's annual inflation slows to 7.9% in January",
            "KYIV, Feb 9 (Reuters) - Ukraine's consumer inflation slowed to 7.9% year-on-year "
            "in January from 8.4% in December, the state statistics service said on Monday.",
        ),
    ),
    (
        "pokrovsk vs myrnohrad",
        SAME[9][1],
        Item(
            "TASS",
            at("2026-02-03", 8),
            "Russian forces take Myrnohrad, Defence Ministry says",
            "Russian troops have captured the town of Myrnohrad in the Donetsk region, next to "
            "Pokrovsk, the Defence Ministry in Moscow said on Tuesday.",
        ),
    ),
    (
        "witkoff kremlin vs witkoff kyiv",
        SAME[10][1],
        Item(
            "Reuters",
            at("2026-01-25", 15),
            "Witkoff and Kushner to visit Kyiv for first time, Zelensky says",
            "U.S. envoys Steve Witkoff and Jared Kushner will travel to Kyiv for the first "
            "time, Ukrainian President Volodymyr Zelensky said on Sunday, as Washington pushes "
            "for a deal to end the war.",
        ),
    ),
    (
        "odesa port vs odesa power",
        SAME[11][1],
        Item(
            "Suspilne",
            at("2026-02-08", 7),
            "Russian strike on Odesa energy facility leaves 30,000 without power",
            "A Russian drone attack damaged an energy facility in Odesa overnight, cutting "
            "electricity to about 30,000 customers, Odesa Oblast Governor Oleh Kiper said.",
        ),
    ),
    (
        "paris declaration vs coalition video call",
        SAME[12][1],
        Item(
            "France 24",
            at("2026-01-09", 15),
            "Coalition of the willing leaders hold video call on Russia's Oreshnik strike",
            "Leaders of the coalition of the willing held a video call on Friday after Russia "
            "fired an Oreshnik hypersonic missile at western Ukraine, Emmanuel Macron's office "
            "said, condemning an escalation.",
        ),
    ),
    (
        "belgorod blackout vs bryansk drone attack",
        SAME[13][2],
        Item(
            "Reuters",
            at("2026-02-15", 9),
            "Ukrainian drones hit oil depot in Russia's Bryansk region, governor says",
            "Ukrainian drones struck an oil depot in Russia's Bryansk region overnight, "
            "sparking a fire, Governor Alexander Bogomaz said on Sunday. No one was hurt.",
        ),
    ),
    (
        "daily roundup day 1,430 vs 1,431",
        Item(
            "The Guardian",
            at("2026-01-26", 5),
            "Russia-Ukraine war at a glance: what we know on day 1,432 of the invasion",
            "Ukraine's president Volodymyr Zelensky said the security guarantees document with "
            "the US was ready; Russia launched 120 drones at Ukrainian regions overnight; talks "
            "in Abu Dhabi ended without a breakthrough, officials said.",
        ),
        Item(
            "The Guardian",
            at("2026-01-27", 5),
            "Russia-Ukraine war at a glance: what we know on day 1,433 of the invasion",
            "The US is linking security guarantees for Ukraine to a peace deal involving the "
            "Donbas, the Financial Times reported; Russia launched 95 drones at Ukraine "
            "overnight; Zelensky said Ukraine would not give up its land.",
        ),
    ),
    (
        "zaporizhzhia power loss vs iaea rotation",
        SAME[3][1],
        Item(
            "Reuters",
            at("2026-02-05", 10),
            "IAEA rotates inspectors at Zaporizhzhia nuclear plant through front line",
            "A team of International Atomic Energy Agency inspectors crossed the front line to "
            "replace colleagues at the Russian-held Zaporizhzhia nuclear power plant, IAEA chief "
            "Rafael Grossi said.",
        ),
    ),
    (
        "bare headlines: drone attack on kyiv vs lviv",
        Item(
            "BBC",
            at("2026-02-02", 6),
            "Ukraine war: Russia launches massive drone attack on Kyiv",
            "",
        ),
        Item(
            "BBC",
            at("2026-02-03", 6),
            "Ukraine war: Russia launches massive drone attack on Lviv",
            "",
        ),
    ),
    (
        "bare headlines: zelensky meets trump vs macron",
        Item("AP", at("2026-02-02", 15), "Zelensky meets Trump in Washington", ""),
        Item("AFP", at("2026-02-03", 15), "Zelensky meets Macron in Paris", ""),
    ),
    (
        "bare headlines: meeting preview vs outcome",
        Item("Reuters", at("2026-02-02", 9), "Zelensky to meet Trump at White House on Monday", ""),
        Item("CNN", at("2026-02-03", 20), "Zelensky says meeting with Trump was productive", ""),
    ),
    (
        "strike on kramatorsk vs strike on kharkiv, same toll",
        Item(
            "Ukrinform",
            at("2026-02-04", 8),
            "Russia shells Kramatorsk, killing three",
            "Russian artillery hit the centre of Kramatorsk on Wednesday morning, killing three "
            "civilians, the Donetsk regional administration said.",
        ),
        Item(
            "Ukrinform",
            at("2026-02-05", 8),
            "Russia shells Kharkiv, killing three",
            "Russian shelling of Kharkiv on Thursday killed three civilians and damaged a tram "
            "depot, Mayor Ihor Terekhov said.",
        ),
    ),
]
