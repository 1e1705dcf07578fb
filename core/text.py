"""Vietnamese text at the boundaries: NFC normalisation and diacritic folding."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def nfc(value: str | None) -> str:
    """NFC-normalise and collapse runs of white space (input from files and forms)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def nfc_text(value: str | None) -> str:
    """NFC-normalise multi-line text (descriptions, rules): line breaks kept as "\n", runs of
    white space inside a line collapsed, more than one blank line in a row made one."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def fold(value: str | None) -> str:
    """Lower-case ASCII folding: "Mật ong Đồng Tiến" -> "mat ong dong tien".

    Unicode decomposition leaves đ/Đ alone (they are letters of their own), so they are mapped
    explicitly before combining marks are dropped.
    """
    text = nfc(value).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


def slugify_vi(value: str | None, *, max_length: int = 200) -> str:
    """A URL slug with diacritics and đ folded: "Chả mực Hạ Long" -> "cha-muc-ha-long"."""
    slug = _NON_SLUG.sub("-", fold(value)).strip("-")
    return slug[:max_length].rstrip("-")


# The Vietnamese alphabet (with f, j, w, z where the Latin alphabet has them, for loanwords):
# ă and â follow a, đ follows d, ê follows e, ô and ơ follow o, ư follows u.
_VI_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_VI_LETTER_RANK = {letter: rank for rank, letter in enumerate(_VI_ALPHABET)}
# Tones after the letters: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_VI_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vi_sort_key(value: str | None) -> tuple:
    """A key that sorts Vietnamese names in Vietnamese alphabetical order: letters first (a < ă
    < â < b … d < đ …), tones only between names whose letters are equal, case ignored. Code
    points put "Huế" before "Hà Nội" and Đ after V; ``sorted(names, key=vi_sort_key)`` does not.
    """
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for char in nfc(value).lower():
        decomposed = unicodedata.normalize("NFD", char)
        tone = 0
        kept = decomposed[0]
        for mark in decomposed[1:]:
            if mark in _VI_TONE_RANK:
                tone = _VI_TONE_RANK[mark]
            else:
                kept += mark  # breve, circumflex, horn: part of the letter
        letter = unicodedata.normalize("NFC", kept)
        if letter in _VI_LETTER_RANK:
            letters.append((2, _VI_LETTER_RANK[letter]))
        elif letter.isdigit():
            letters.append((1, ord(letter)))
        elif letter.isalpha():
            letters.append((3, ord(letter)))
        else:
            letters.append((0, ord(letter)))  # spaces and punctuation before any letter
        tones.append(tone)
    return (tuple(letters), tuple(tones))
