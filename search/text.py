"""Search text: tokens, spelling neighbours and synonyms, the same for every backend.

Everything is matched on folded text (``core.text.fold``: case and diacritics dropped, đ → d),
split into tokens of ASCII letters and digits. Vietnamese words are single syllables, so a
token is usually a syllable ("gio", "lua"); a buyer's typo is one letter wrong, doubled or
missing in one syllable, or two syllables typed together ("bakich").

Spelling neighbours are found the symmetric-delete way: a term is stored with every form that
has one letter deleted (its *variants*), and a query token's own deletions are looked up among
them. Two words share a variant only when they are at most two edits apart, and
``edit_distance`` then keeps those exactly one edit apart (a letter replaced, added, dropped,
or two neighbours swapped). The same table answers on SQLite and PostgreSQL, so both rank the
same way.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from core.text import fold

_TOKEN = re.compile(r"[a-z0-9]+")
_PARENTHESES = re.compile(r"\([^)]*\)")
_TAGS = re.compile(r"<[^>]+>")

# Shorter tokens are matched exactly: one edit away from "ca" is half the dictionary.
FUZZY_MIN_LENGTH = 3
# Longer ones are not stored with variants (codes, run-together words): they match exactly.
VARIANT_MAX_LENGTH = 20
SPLIT_MIN_PART = 2
# Word beginnings stored for suggestions (``search.models.SearchPrefix``); a longer one typed
# is looked up under its first letters and checked against the title.
PREFIX_MAX_LENGTH = 24
SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"


def tokens(value: str | None) -> list[str]:
    """Folded tokens: "Giò lụa (500 g)" -> ["gio", "lua", "500", "g"]."""
    return _TOKEN.findall(fold(value))


def folded_field(*values: str | None) -> str:
    """Tokens of ``values`` as one field, padded with a space on each side so that a word or a
    phrase is found with a plain substring test: " gio lua " in " gio lua mong cai "."""
    words = [token for value in values for token in tokens(value)]
    return f" {' '.join(words)} " if words else ""


def address_text(value: str | None) -> str:
    """An address as given, without remarks in parentheses ("(địa chỉ theo đề án 2017)")."""
    return _PARENTHESES.sub(" ", value or "")


def plain_text(value: str | None) -> str:
    """Stored rich text (sanitised HTML) as words."""
    return _TAGS.sub(" ", value or "")


def deletions(term: str) -> set[str]:
    """``term`` with one letter left out, every way."""
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


def term_variants(term: str) -> set[str]:
    """What a vocabulary term is stored under: itself, and its deletions when it is long
    enough to be matched fuzzily."""
    if FUZZY_MIN_LENGTH <= len(term) <= VARIANT_MAX_LENGTH:
        return {term} | deletions(term)
    return {term}


def lookup_keys(token: str) -> set[str]:
    """Variants to look a query token up under: itself, its deletions (a letter too many, or
    one side of a replaced or swapped letter) and the halves of every split into two parts."""
    keys = {token}
    if len(token) >= FUZZY_MIN_LENGTH:
        keys |= deletions(token)
    for left, right in splits(token):
        keys |= {left, right}
    return keys


def word_prefixes(folded: str) -> set[str]:
    """Every beginning of every word of a folded field, up to ``PREFIX_MAX_LENGTH`` letters:
    " gio lua " -> {"g", "gi", "gio", "l", "lu", "lua"}."""
    return {
        word[:n] for word in folded.split() for n in range(1, min(len(word), PREFIX_MAX_LENGTH) + 1)
    }


def splits(token: str) -> list[tuple[str, str]]:
    """Two-syllable readings of a run-together token: "bakich" -> [("ba", "kich"), …]."""
    return [(token[:i], token[i:]) for i in range(SPLIT_MIN_PART, len(token) - SPLIT_MIN_PART + 1)]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (replace, insert, delete, swap neighbours)."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > 2:
        return 3
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


@cache
def synonym_groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The synonym list as folded token tuples: ((("che",), ("tra",)), …)."""
    groups = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        entries = tuple(tuple(tokens(entry)) for entry in line.split(","))
        groups.append(tuple(entry for entry in entries if entry))
    return tuple(groups)


@cache
def synonyms_by_phrase() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each synonym entry -> the other entries of its group."""
    table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in synonym_groups():
        for entry in group:
            table.setdefault(entry, [])
            table[entry] += [other for other in group if other != entry]
    return {entry: tuple(others) for entry, others in table.items()}


def synonym_max_words() -> int:
    return max((len(entry) for entry in synonyms_by_phrase()), default=1)
