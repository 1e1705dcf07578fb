"""VietQR (NAPAS 247) payment codes: the EMVCo merchant-presented payload banking apps scan.

Each field is TLV: a two-digit id, a two-digit length and the value. See OCOP-RULES.md §4.
"""

from __future__ import annotations

import io
import re
import unicodedata

import qrcode
import qrcode.image.svg

from core.text import nfc

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
# Purpose and bill numbers travel through every bank's transfer note: plain ASCII only.
_ALLOWED = re.compile(r"^[A-Za-z0-9 .\-_/]*$")
PURPOSE_MAX = 25
BILL_NUMBER_MAX = 25


class VietQRError(ValueError):
    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(f"Field {tag} is longer than 99 characters", field=tag)
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no XOR out."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def ascii_note(value: str, *, limit: int, field: str) -> str:
    """Vietnamese text folded to the ASCII a transfer note carries ("Đơn hàng" → "Don hang")."""
    decomposed = unicodedata.normalize("NFD", nfc(value or "").replace("đ", "d").replace("Đ", "D"))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = " ".join(folded.split())
    if not _ALLOWED.match(folded):
        raise VietQRError(f"{field} may only hold letters, digits, spaces and . - _ /", field=field)
    if len(folded) > limit:
        raise VietQRError(f"{field} is longer than {limit} characters", field=field)
    return folded


def vietqr_payload_build(
    *,
    bank_bin: str,
    account: str,
    service: str,
    amount: int | None = None,
    purpose: str = "",
    bill_number: str | None = None,
) -> str:
    """The payload string to draw as a QR code: dynamic (tag 01 = 12) when ``amount`` is given,
    static (11) otherwise. ``amount`` is whole đồng."""
    if not re.fullmatch(r"\d{6}", bank_bin or ""):
        raise VietQRError("The bank BIN is 6 digits", field="bank_bin")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account or ""):
        raise VietQRError("The account is 1 to 19 letters or digits", field="account")
    if service not in (SERVICE_TO_ACCOUNT, SERVICE_TO_CARD):
        raise VietQRError("The service is QRIBFTTA or QRIBFTTC", field="service")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount < 10**13
    ):
        raise VietQRError("The amount is a whole number of đồng above 0", field="amount")
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", service)
    payload = _tlv("00", "01") + _tlv("01", "12" if amount is not None else "11")
    payload += _tlv("38", merchant) + _tlv("53", "704")
    if amount is not None:
        payload += _tlv("54", str(amount))
    payload += _tlv("58", "VN")
    additional = ""
    if bill_number:
        additional += _tlv(
            "01", ascii_note(bill_number, limit=BILL_NUMBER_MAX, field="bill_number")
        )
    if purpose:
        additional += _tlv("08", ascii_note(purpose, limit=PURPOSE_MAX, field="purpose"))
    if additional:
        payload += _tlv("62", additional)
    payload += "6304"
    return payload + f"{crc16_ccitt_false(payload.encode('ascii')):04X}"


def tlv_parse(payload: str) -> dict[str, str]:
    """Top-level fields of a payload, checking every length and the CRC."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise VietQRError("The payload does not end with a CRC field", field="63")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if payload[-4:] != expected:
        raise VietQRError("The CRC does not match", field="63")
    return tlv_fields(payload)


def tlv_fields(data: str) -> dict[str, str]:
    fields, i = {}, 0
    while i < len(data):
        tag, length = data[i : i + 2], data[i + 2 : i + 4]
        if len(tag) < 2 or not length.isdigit():
            raise VietQRError(f"Malformed field at position {i}", field=tag)
        value = data[i + 4 : i + 4 + int(length)]
        if len(value) != int(length):
            raise VietQRError(f"Field {tag} is shorter than its length", field=tag)
        fields[tag] = value
        i += 4 + int(length)
    return fields


def _qr(payload: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return code


def vietqr_png(payload: str, *, box_size: int = 8) -> bytes:
    code = _qr(payload)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def vietqr_svg(payload: str) -> str:
    image = _qr(payload).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")
