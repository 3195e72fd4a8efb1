"""Topic rules: what a term may look like, and validating a whole rule before it is stored.

A topic has
- ``any_of``: aliases; one of them must hit (whole words, case-insensitive);
- ``all_of``: context groups; every group must hit somewhere in the article (title, summary
  or body) for the topic to match;
- ``none_of``: exclusions; an exclusion suppresses every alias hit in the *same sentence*
  (so one that overlaps or contains the hit, like "Shakhtar Donetsk" around "Donetsk",
  always does). Hits elsewhere in the article still count.

Term syntax (aliases, context terms and exclusions alike): plain words, matched as whole
words after folding (see :mod:`bot.topics.normalize`): case, apostrophe variants and
hyphen/space variants do not matter. A ``*`` at the end of a word matches any ending of that
word ("Донеччин*" matches Донеччина, Донеччині, Донеччину; "гаранті* безпек*" matches
"гарантій безпеки"). A term written in capitals with at most five letters ("US", "U.S.",
"TCG", "США") is an acronym and matches case-sensitively, so "US" never hits "us". A capital
acronym of two or three Latin letters also matches written with dots, and a dotted one without:
"US-brokered" hits "U.S.-brokered", "U.S." hits "US".

**Concepts** describe a beat rather than name it: parts joined by ``+`` must all occur in the
same sentence (the title is one sentence), in any order; a part may list alternatives joined by
``|``; a part written ``-part`` must *not* occur in that sentence (a referent check):

    troops | forces + Ukrain* + ceasefire | peace deal
    security guarantee* + Russia | Moscow + demand* + -for Ukraine

A concept can stand wherever a term can: as an alias (the sentence is the explanation), in a
context group, or as an exclusion (it drops alias hits in the sentence it matches).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.errors import UserFacingError
from bot.topics.normalize import APOSTROPHES, DASHES, fold_phrase, scan_form

MAX_TERMS = 200  # per list (aliases, one context group, exclusions)
MAX_GROUPS = 5
MAX_TERM_CHARS = 80
MAX_CONCEPT_CHARS = 600
MAX_PARTS = 6
MAX_ALTERNATIVES = 24
MIN_WORD_CHARS = 2
MIN_STEM_CHARS = 3
MAX_NAME_CHARS = 60
ACRONYM_MAX_LETTERS = 5

_TERM_PUNCT = set(APOSTROPHES) | set(DASHES) | {" ", ".", ",", "&", "/", "*"}
_NAME_PUNCT = set(APOSTROPHES) | set(DASHES) | {" ", ".", "&", "/", "(", ")", ",", "+"}
_WORD_TAIL = r"[^\W_]*"


@dataclass(frozen=True, slots=True)
class Term:
    """One compiled term. ``key`` is the literal folded prefix fed to the automaton."""

    text: str  # as written (NFC, trimmed)
    folded: str  # folded, '*' kept
    key: str  # folded literal prefix, up to the first '*'
    regex: re.Pattern[str]  # verifies the whole term on the folded text at a key hit
    scan_key: str  # the automaton key: the first word(s) of ``key`` in scan form
    acronym: bool  # match case-sensitively against the original text
    reach: int  # how much folded text from the hit a verification may need
    right_word: bool  # ends in a word character without '*': needs a word boundary after


@dataclass(frozen=True, slots=True)
class ConceptPart:
    """One part of a concept: any of ``terms`` (or, when ``negated``, none of them)."""

    terms: tuple[Term, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Concept:
    """Parts that must meet in one sentence (see the module docstring)."""

    text: str
    folded: str
    parts: tuple[ConceptPart, ...]


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A validated rule, terms trimmed and NFC-normalised, ready to store."""

    name: str
    any_of: tuple[str, ...]
    all_of: tuple[tuple[str, ...], ...]
    none_of: tuple[str, ...]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _bad(what: str, raw: str, why: str) -> UserFacingError:
    return UserFacingError(f"{what} {raw!r}: {why}")


def parse_term(raw: str, what: str = "alias") -> Term:
    """Validate and compile one term; ``UserFacingError`` says what is wrong with it."""
    if not isinstance(raw, str):
        raise UserFacingError(f"{what} {raw!r}: must be text")
    text = unicodedata.normalize("NFC", " ".join(raw.split()))
    if not text:
        raise UserFacingError(f"empty {what}: remove it or write a word")
    if len(text) > MAX_TERM_CHARS:
        raise _bad(what, text, f"too long ({len(text)} characters, at most {MAX_TERM_CHARS})")
    if ".*" in text or ".+" in text or text.startswith("*"):
        raise _bad(what, text, "looks like a regular expression; write plain words")
    for i, ch in enumerate(text):
        if _is_word(ch):
            continue
        if ch not in _TERM_PUNCT:
            raise _bad(
                what,
                text,
                f"contains {ch!r}; terms are plain words, not regular expressions "
                "(use a trailing * for word endings, e.g. Donbas*)",
            )
        if ch == "*":
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if not before or not _is_word(before) or (after and (_is_word(after) or after == "*")):
                raise _bad(what, text, "'*' is only allowed at the end of a word, e.g. guarantee*")
    words = sum(1 for ch in text if _is_word(ch))
    if words < MIN_WORD_CHARS:
        raise _bad(what, text, f"too short (at least {MIN_WORD_CHARS} letters or digits)")
    first = text.split(" ", 1)[0]
    for word in (first,):  # later words of a phrase are anchored by the words before them
        if word.endswith("*"):
            stem = sum(1 for ch in word if _is_word(ch))
            if stem < MIN_STEM_CHARS:
                raise _bad(
                    what,
                    text,
                    f"the stem before '*' needs at least {MIN_STEM_CHARS} letters "
                    f"({word!r} would match too much)",
                )
    folded = fold_phrase(text)
    key = folded.split("*", 1)[0].rstrip()
    if len(key) < MIN_WORD_CHARS:
        raise _bad(what, text, "too short once case and punctuation are ignored")
    if not _is_word(text[0]):
        raise _bad(what, text, "must start with a letter or a digit")
    # Words of a phrase may be separated by any run of spaces in the text (hyphens, line
    # breaks and no-break spaces fold to spaces); any other punctuation must be as written.
    regex = re.compile(re.escape(folded).replace(r"\*", _WORD_TAIL).replace(r"\ ", " +"))
    # The automaton key: the first word in scan form, as a whole word when it is short
    # ("U.S." -> " u ", "US" -> " us ") or complete ("security guarantee*" -> " security ",
    # "Donetsk" -> " donetsk "), as a prefix only when a '*' ends it (" гаранті", " ukrain"):
    # a key that is a prefix of many words ("pro" of "pro-Moscow") would fire everywhere.
    key_words = scan_form(key).split(" ")
    first = key_words[0]
    complete = len(key_words) > 1 or "*" not in folded
    scan_key = f" {first} " if len(first) < MIN_STEM_CHARS or complete else f" {first}"
    letters = [ch for ch in text if ch.isalpha()]
    acronym = (
        "*" not in text
        and 0 < len(letters) <= ACRONYM_MAX_LETTERS
        and all(ch.isupper() for ch in letters)
        and " " not in text
    )
    return Term(
        text=text,
        folded=folded,
        key=key,
        regex=regex,
        scan_key=scan_key,
        acronym=acronym,
        reach=len(folded) + 64 + 40 * folded.count("*"),
        right_word=not folded.endswith("*") and _is_word(folded[-1]),
    )


def is_concept(raw: str) -> bool:
    """A concept (parts joined by ``+``, alternatives by ``|``) rather than a plain term."""
    return "+" in raw or "|" in raw


def parse_concept(raw: str, what: str = "alias") -> Concept:
    """Validate and compile a concept; ``UserFacingError`` says what is wrong with it."""
    if not isinstance(raw, str):
        raise UserFacingError(f"{what} {raw!r}: must be text")
    text = unicodedata.normalize("NFC", " ".join(raw.split()))
    if len(text) > MAX_CONCEPT_CHARS:
        raise _bad(what, text, f"too long ({len(text)} characters, at most {MAX_CONCEPT_CHARS})")
    pieces = [p.strip() for p in text.split("+")]
    if len(pieces) > MAX_PARTS:
        raise _bad(what, text, f"too many parts joined by '+' (at most {MAX_PARTS})")
    parts: list[ConceptPart] = []
    for piece in pieces:
        negated = piece.startswith("-")
        if negated:
            piece = piece[1:].strip()
        if not piece:
            raise _bad(what, text, "has an empty part; write words on both sides of '+'")
        alternatives = [a.strip() for a in piece.split("|")]
        if len(alternatives) > MAX_ALTERNATIVES:
            raise _bad(what, text, f"a part has more than {MAX_ALTERNATIVES} alternatives")
        if any(not a for a in alternatives):
            raise _bad(what, text, "has an empty alternative; write words on both sides of '|'")
        terms = tuple(parse_term(a, f"part of {what} {text!r}:") for a in alternatives)
        parts.append(ConceptPart(terms, negated))
    if all(p.negated for p in parts):
        raise _bad(what, text, "needs at least one part that must occur (not only '-' parts)")
    folded = " + ".join(
        ("-" if p.negated else "") + " | ".join(t.folded for t in p.terms) for p in parts
    )
    return Concept(text, folded, tuple(parts))


def term_form(raw: str, what: str = "alias") -> str:
    """Validate a term or a concept; its folded form (what duplicates are compared by)."""
    if isinstance(raw, str) and is_concept(raw):
        return parse_concept(raw, what).folded
    return parse_term(raw, what).folded


_ACRONYM_WORD = re.compile(r"(?<![^\W\d_])([A-Z]{2,3})(?![^\W\d_])")
_DOTTED_WORD = re.compile(r"(?<![^\W\d_])((?:[A-Z]\.){2,3})(?![^\W\d_])")


def _acronym_variant(text: str) -> str | None:
    """ "US-brokered" -> "U.S.-brokered"; "U.S." -> "US"; None when there is no such word."""
    if _DOTTED_WORD.search(text):
        return _DOTTED_WORD.sub(lambda m: m.group(1).replace(".", ""), text)
    if _ACRONYM_WORD.search(text):
        return _ACRONYM_WORD.sub(lambda m: ".".join(m.group(1)) + ".", text)
    return None


def spelling_variants(term: Term) -> list[Term]:
    """The term, plus the same term with "ss" for "ß" (Straße -> Strasse), without in-word
    apostrophes (Слов'янськ -> Словянськ), and with or without dots in a short capital
    acronym ("US" / "U.S.")."""
    out = _apostrophe_variants(term)
    if "ß" in term.folded:
        try:
            ss = parse_term(term.folded.replace("ß", "ss"), "alias")
        except UserFacingError:
            return out
        out += [replace(v, text=term.text) for v in _apostrophe_variants(ss)]
    dotted = _acronym_variant(term.text)
    if dotted is not None:
        try:
            other = parse_term(dotted, "alias")
        except UserFacingError:
            return out
        if other.folded != term.folded:
            out.append(other)  # keeps its own text: an acronym's case is checked against it
    return out


def _apostrophe_variants(term: Term) -> list[Term]:
    folded = term.folded
    if "'" not in folded:
        return [term]
    chars = [
        ch
        for i, ch in enumerate(folded)
        if not (
            ch == "'"
            and 0 < i < len(folded) - 1
            and _is_word(folded[i - 1])
            and _is_word(folded[i + 1])
        )
    ]
    bare = "".join(chars)
    if bare == folded:
        return [term]
    try:
        variant = parse_term(bare, "alias")
    except UserFacingError:
        return [term]
    return [term, replace(variant, text=term.text)]


def _terms(raw: Iterable[str], what: str, plural: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    items = list(raw)
    if len(items) > MAX_TERMS:
        raise UserFacingError(f"too many {plural}: {len(items)} (at most {MAX_TERMS})")
    seen: dict[str, str] = {}
    out: list[str] = []
    for item in items:
        folded = term_form(item, what)
        text = unicodedata.normalize("NFC", " ".join(item.split()))
        if folded in seen:
            raise UserFacingError(
                f"duplicate {what} {text!r} (same as {seen[folded]!r} "
                "once case, apostrophes and hyphens are ignored)"
            )
        seen[folded] = text
        out.append(text)
    return tuple(out)


def validate_name(raw: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(str(raw).split()))
    if not name:
        raise UserFacingError("a topic needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise UserFacingError(
            f"topic name too long ({len(name)} characters, at most {MAX_NAME_CHARS})"
        )
    if sum(1 for ch in name if ch.isalnum()) < 2:
        raise UserFacingError(f"topic name {name!r} is too short (at least 2 letters or digits)")
    for ch in name:
        if not (_is_word(ch) or ch in _NAME_PUNCT):
            raise UserFacingError(
                f"topic name {name!r} contains {ch!r}; use letters, digits and spaces"
            )
    return name


def name_key(name: str) -> str:
    """The form names are compared in (two topics may not share it within a server)."""
    return fold_phrase(name)


def validate_rule(
    name: str,
    any_of: Sequence[str] | str,
    all_of: Sequence[Sequence[str] | str] = (),
    none_of: Sequence[str] | str = (),
) -> TopicRule:
    """Check a whole rule; raise ``UserFacingError`` with a clear message on the first problem."""
    clean_name = validate_name(name)
    aliases = _terms(any_of, "alias", "aliases")
    if not aliases:
        raise UserFacingError(f"topic {clean_name!r} needs at least one alias")
    if isinstance(all_of, str):
        all_of = [all_of]
    if len(all_of) > MAX_GROUPS:
        raise UserFacingError(f"too many context groups: {len(all_of)} (at most {MAX_GROUPS})")
    groups: list[tuple[str, ...]] = []
    for i, group in enumerate(all_of, 1):
        terms = _terms(group, "context term", "context terms")
        if not terms:
            raise UserFacingError(f"context group {i} is empty")
        groups.append(terms)
    excludes = _terms(none_of, "exclusion", "exclusions")
    alias_forms = {term_form(a): a for a in aliases}
    for ex in excludes:
        if term_form(ex, "exclusion") in alias_forms:
            raise UserFacingError(
                f"{ex!r} is both an alias and an exclusion of topic {clean_name!r}"
            )
    return TopicRule(clean_name, aliases, tuple(groups), excludes)
