"""What a buyer typed, understood: word groups with their alternatives, for every backend.

"ruou bakich" becomes two groups — ``ruou`` (as typed) and ``bakich`` read as the phrase
"ba kich" — "gio luaa" becomes ``gio`` and ``lua`` (one letter too many), "che xanh" becomes
``che`` or its synonym ``tra``, and ``xanh``. A document matches a group when it contains one
of the group's alternatives; each alternative has a weight (as typed > split > synonym >
corrected) that the backends use to rank.

The vocabulary (``search.models.SearchTerm``) is read once per query, with every key at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from search.models import SearchTerm
from search.text import (
    FUZZY_MIN_LENGTH,
    edit_distance,
    lookup_keys,
    splits,
    synonym_max_words,
    synonyms_by_phrase,
    tokens,
)

MAX_TOKENS = 8
SUBSTITUTION_MIN_LENGTH = 4
MAX_FUZZY = 4
MAX_SPLITS = 2

EXACT = 100
SPLIT = 90
SYNONYM = 80
FUZZY = 60


@dataclass(frozen=True)
class Alternative:
    terms: tuple[str, ...]
    weight: int

    @property
    def phrase(self) -> str:
        return " ".join(self.terms)


@dataclass
class Group:
    source: tuple[str, ...]
    alternatives: list[Alternative] = field(default_factory=list)
    # Words two edits away, for "did you mean" when nothing matched.
    far: list[str] = field(default_factory=list)

    @property
    def best(self) -> Alternative | None:
        return self.alternatives[0] if self.alternatives else None

    @property
    def as_typed(self) -> list[Alternative]:
        """The alternatives that are the buyer's own words (as typed, split, or a synonym of
        them), not a spelling correction."""
        return [a for a in self.alternatives if a.weight > FUZZY]


@dataclass
class ParsedQuery:
    text: str
    tokens: list[str]
    groups: list[Group]

    @property
    def matchable(self) -> list[Group]:
        return [group for group in self.groups if group.alternatives]

    @property
    def corrected(self) -> str:
        """The query as understood, when a word had to be corrected or split; else ""."""
        if all(g.best is None or g.best.terms == g.source for g in self.groups):
            return ""
        return " ".join(g.best.phrase if g.best else " ".join(g.source) for g in self.groups)

    @property
    def did_you_mean(self) -> str:
        """Each unknown word replaced by its nearest vocabulary word (up to two edits)."""
        words, changed = [], False
        for group in self.groups:
            if group.alternatives:
                words.append(group.best.phrase)
                changed = changed or group.best.terms != group.source
            elif group.far:
                words.append(group.far[0])
                changed = True
            else:
                words.append(" ".join(group.source))
        return " ".join(words) if changed else ""

    def terms(self) -> set[str]:
        """Every word any alternative looks for (for highlighting)."""
        return {term for g in self.groups for a in g.alternatives for term in a.terms}


def _synonym_spans(words: list[str]) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    """Split ``words`` into spans, the longest synonym entry first: [(span, synonyms)]."""
    table = synonyms_by_phrase()
    longest = synonym_max_words()
    spans, i = [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            span = tuple(words[i : i + n])
            if span in table:
                spans.append((span, table[span]))
                i += n
                break
        else:
            spans.append(((words[i],), ()))
            i += 1
    return spans


def vocabulary_lookup(keys: Iterable[str]) -> dict[str, set[str]]:
    """variant -> the vocabulary words stored under it, for ``keys``: one query."""
    found: dict[str, set[str]] = {}
    for variant, term in SearchTerm.objects.filter(variant__in=sorted(set(keys))).values_list(
        "variant", "term"
    ):
        found.setdefault(variant, set()).add(term)
    return found


def query_parse(text: str, *, lookup=vocabulary_lookup) -> ParsedQuery:
    words = tokens(text)[:MAX_TOKENS]
    spans = _synonym_spans(words)
    single = [span[0] for span, _ in spans if len(span) == 1]
    keys: set[str] = set()
    for word in single:
        keys |= lookup_keys(word)
    found = lookup(keys) if keys else {}
    known = {term for terms in found.values() for term in terms}
    groups = []
    for span, synonyms in spans:
        group = Group(source=span)
        if len(span) > 1 or span[0] in known:
            group.alternatives.append(Alternative(span, EXACT))
        else:
            word = span[0]
            for left, right in splits(word):
                if left in known and right in known:
                    group.alternatives.append(Alternative((left, right), SPLIT))
            group.alternatives = group.alternatives[:MAX_SPLITS]
            if len(word) >= FUZZY_MIN_LENGTH:
                near, far = _neighbours(word, found)
                group.alternatives += [Alternative((term,), FUZZY) for term in near[:MAX_FUZZY]]
                group.far = far
        group.alternatives += [Alternative(synonym, SYNONYM) for synonym in synonyms]
        group.alternatives.sort(key=lambda a: -a.weight)
        groups.append(group)
    return ParsedQuery(text=text, tokens=words, groups=groups)


def _replaced(word: str, term: str) -> bool:
    """One letter replaced by another (not two neighbours swapped)."""
    return len(word) == len(term) and sorted(word) != sorted(term)


def _neighbours(word: str, found: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """Vocabulary words one edit from ``word`` and, for "did you mean", two edits away; the
    nearest first, then those sharing the first letter (typos rarely hit it), then A–Z."""
    candidates = set(found.get(word, ()))
    for key in lookup_keys(word):
        candidates |= found.get(key, set())
    near, far = [], []
    for term in candidates:
        distance = edit_distance(word, term)
        if distance == 1 and len(word) < SUBSTITUTION_MIN_LENGTH and _replaced(word, term):
            # "sam" is not "san": in a three-letter syllable one letter replaced is another
            # word. Swapped, doubled or missing letters still count ("lau" → "lua").
            far.append(term)
        elif distance == 1:
            near.append(term)
        elif distance == 2 and len(term) >= FUZZY_MIN_LENGTH:
            far.append(term)

    def order(term: str):
        return (term[:1] != word[:1], abs(len(term) - len(word)), term)

    return sorted(near, key=order), sorted(far, key=order)
