"""Stamp codes: a random serial and a signature only the server's keys can produce.

The code printed in a QR stamp is ``serial + key id + tag`` in RFC 4648 base32 capitals
(30 characters):

- serial: 13 characters = 65 random bits from :mod:`secrets` (nobody can guess another stamp's);
- key id: 1 character naming the signing key (``STAMP_SIGNING_KEYS``), so keys can rotate: new
  stamps use the first key, stamps signed with any key still listed keep verifying, and
  removing a key makes its stamps "not recognised";
- tag: 16 characters = the first 80 bits of HMAC-SHA256(key, "ocop-stamp|" key id serial).

Base32 capitals and digits are all in the QR alphanumeric set, and the short URL is written
in capitals too (``HTTPS://HOST/S/CODE``; scheme and host are case-insensitive), so the whole
URL encodes in alphanumeric mode: 55 characters for ``HTTPS://OCOP.EXAMPLE.VN/S/`` + code, which
fits QR version 4 at error correction M (90 alphanumeric characters) — a 15 mm label.

Verification only ever compares tags with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

from core.site import site_url
from traceability.digital_link import digital_link_path

if TYPE_CHECKING:
    from traceability.models import Stamp

SERIAL_LENGTH = 13
TAG_LENGTH = 16
CODE_LENGTH = SERIAL_LENGTH + 1 + TAG_LENGTH
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CODE = re.compile(f"[{BASE32}]{{{CODE_LENGTH}}}")
_KEY_ID = re.compile(f"[{BASE32}]")
SIGNATURE_PARAM = "s"  # query parameter of the GS1 Digital Link form carrying key id + tag


@lru_cache(maxsize=8)
def _parse_keys(raw: str, secret_key: str) -> tuple[tuple[str, bytes], ...]:
    if not raw.strip():
        # Development (and any deployment that did not set keys): one key derived from
        # SECRET_KEY, so stamps work out of the box; production should set its own.
        derived = salted_hmac("traceability.stamp-signing", "A", secret=secret_key).digest()
        return (("A", derived),)
    keys: list[tuple[str, bytes]] = []
    for item in raw.split(","):
        kid, sep, secret = item.strip().partition(":")
        if not sep or not _KEY_ID.fullmatch(kid) or len(secret) < 16:
            raise ImproperlyConfigured(
                "STAMP_SIGNING_KEYS is 'kid:secret,kid2:secret2' with one-character key ids "
                "(A-Z, 2-7) and secrets of at least 16 characters."
            )
        if any(kid == known for known, _secret in keys):
            raise ImproperlyConfigured(f"STAMP_SIGNING_KEYS lists key id {kid!r} twice.")
        keys.append((kid, secret.encode()))
    return tuple(keys)


def signing_keys() -> tuple[tuple[str, bytes], ...]:
    """(key id, secret) pairs, the current signing key first."""
    return _parse_keys(getattr(settings, "STAMP_SIGNING_KEYS", "") or "", settings.SECRET_KEY)


def signing_key_current() -> str:
    return signing_keys()[0][0]


def serial_new() -> str:
    """13 base32 characters, 65 bits from the operating system's CSPRNG."""
    return base64.b32encode(secrets.token_bytes(10)).decode()[:SERIAL_LENGTH]


def _tag(secret: bytes, key_id: str, serial: str) -> str:
    mac = hmac.new(secret, f"ocop-stamp|{key_id}{serial}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode()


def stamp_code_sign(*, serial: str, key_id: str | None = None) -> str:
    """The code printed for ``serial`` (signed with ``key_id``, the current key by default)."""
    keys = dict(signing_keys())
    key_id = key_id or signing_key_current()
    if key_id not in keys:
        raise ImproperlyConfigured(f"Stamp signing key {key_id!r} is not configured.")
    return f"{serial}{key_id}{_tag(keys[key_id], key_id, serial)}"


def stamp_code_normalise(raw: str) -> str:
    """A code as a person typed or an app scanned it, in the printed form: surrounding spaces
    dropped and ASCII letters in capitals (base32 is case-insensitive; "Abc…" and "ABC…" are the
    same code). Only ASCII is changed: ``str.upper`` would turn a dotless "ı" into "I"."""
    raw = raw.strip()
    return raw.upper() if raw.isascii() else raw


def stamp_code_verify(*, code: str) -> tuple[str, str] | None:
    """(serial, key id) when ``code`` carries a valid signature of a configured key, else None.

    Codes are exact: capitals only, 30 characters; anything else is simply not a code. Input
    from people passes :func:`stamp_code_normalise` first (``selectors.stamp_lookup`` does).
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return None
    serial, key_id, tag = code[:SERIAL_LENGTH], code[SERIAL_LENGTH], code[SERIAL_LENGTH + 1 :]
    secret = dict(signing_keys()).get(key_id)
    if secret is None:
        return None
    if not hmac.compare_digest(_tag(secret, key_id, serial), tag):
        return None
    return serial, key_id


def _short_origin() -> str:
    """SITE_URL with scheme and host in capitals (case-insensitive by RFC 3986) so the short URL
    stays in the QR alphanumeric set; a path prefix, if any, is case-sensitive and kept."""
    parts = urlsplit(site_url())
    return urlunsplit((parts.scheme.upper(), parts.netloc.upper(), parts.path.rstrip("/"), "", ""))


def stamp_code(stamp: Stamp) -> str:
    return stamp_code_sign(serial=stamp.serial, key_id=stamp.run.key_id)


def stamp_url_short(stamp: Stamp) -> str:
    """``HTTPS://HOST/S/{code}`` — the form printed on small labels."""
    return f"{_short_origin()}/S/{stamp_code(stamp)}"


def stamp_url_gs1(stamp: Stamp) -> str | None:
    """The GS1 Digital Link form when the variant has a GTIN, else None:
    ``{SITE_URL}/01/{gtin14}/10/{lot}/21/{serial}?s={key id + tag}``.

    GS1 AI (21) holds at most 20 characters, so the 13-character serial goes in the path and
    the signature travels as a non-GS1 query attribute (allowed by GS1 Digital Link 1.2 §4).
    The lot is percent-encoded as GS1 asks for reserved characters.
    """
    batch = stamp.run.batch
    if not batch.variant.gtin:
        return None
    code = stamp_code(stamp)
    path = digital_link_path(gtin=batch.variant.gtin, lot=batch.lot_code, serial=stamp.serial)
    return f"{site_url()}{path}?{SIGNATURE_PARAM}={code[SERIAL_LENGTH:]}"


# --- scratch-off PINs and device hashes ----------------------------------------------------------


def _pin_pepper() -> bytes:
    configured = getattr(settings, "STAMP_PIN_PEPPER", "") or ""
    if configured:
        return configured.encode()
    return salted_hmac("traceability.stamp-pin", "pepper").digest()


PIN_DIGITS = 8


def _pin_key() -> bytes:
    configured = getattr(settings, "STAMP_PIN_KEY", "") or ""
    if configured:
        return configured.encode()
    return salted_hmac("traceability.stamp-pin-derive", "key").digest()


def pin_derive(
    *, run_id: int, serial: str, digits: int = PIN_DIGITS, key: bytes | None = None
) -> str:
    """The scratch-off PIN of stamp ``serial`` of run ``run_id``: digits of
    HMAC-SHA256(``STAMP_PIN_KEY``, run id and serial). Derived rather than random so the
    background job that draws a run's labels can print the PINs again, while the database keeps
    only their hashes (:func:`pin_hash`, under a different secret). 64 bits of the MAC reduced
    modulo 10^8: the bias is below 10^-11, so a PIN is as hard to guess as a random one for
    anyone without the key. Threat model: ARCHITECTURE.md, "Scratch-off PINs"."""
    mac = hmac.new(
        key if key is not None else _pin_key(),
        f"ocop-pin|{run_id}|{serial}".encode(),
        hashlib.sha256,
    ).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10**digits:0{digits}d}"


def pin_hash(*, serial: str, pin: str, pepper: bytes | None = None) -> str:
    """HMAC-SHA256 of the PIN, salted with the stamp's unique serial, under a server pepper.

    Not PBKDF2/bcrypt on purpose: a run of 100,000 stamps is hashed in one request, and a slow
    hash (~100 ms each) would take hours. What protects the PIN instead: guessing online is rate
    limited per stamp and per client; guessing offline from a database dump needs the pepper,
    which lives in the environment, not the database; and a PIN only ever vouches for one jar.
    """
    key = pepper if pepper is not None else _pin_pepper()
    return hmac.new(key, f"{serial}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(*, serial: str, pin: str, stored: str) -> bool:
    return hmac.compare_digest(pin_hash(serial=serial, pin=pin), stored)


def device_hash(*, user_agent: str, client_ip: str, day: str) -> str:
    """Groups one device's scans within one day, and cannot be turned back into an address:
    keyed by the server secret, and the day makes hashes of different days unrelated."""
    return salted_hmac(
        "traceability.scan-device", f"{day}|{client_ip}|{user_agent}", algorithm="sha256"
    ).hexdigest()[:32]
