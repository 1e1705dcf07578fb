"""Vietnamese text at the boundaries: NFC normalisation and diacritic folding."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def nfc(value: str | None) -> str:
    """NFC-normalise and collapse runs of white space (input from files and forms)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


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
