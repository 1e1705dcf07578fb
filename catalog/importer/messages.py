"""Bilingual import messages.

Every message is a gettext string (English msgid, so ``makemessages`` picks it up) with the
Vietnamese text kept beside it. The report must carry both languages whatever the request's
language, and until the project's ``vi`` catalogue holds these strings the Vietnamese source here
is what a Vietnamese reader sees; once it does, the catalogue's translation wins.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Message:
    en: str
    vi: str

    def render(self, **params) -> tuple[str, str]:
        """(Vietnamese, English) texts with ``params`` interpolated."""
        with translation.override("vi"):
            translated = gettext(self.en)
        vi = translated if translated != self.en else self.vi
        with translation.override("en"):
            en = gettext(self.en)
        return vi % params, en % params


def _m(en: str, vi: str) -> Message:
    return Message(en=gettext_noop(en), vi=vi)


FILE_UNREADABLE = _m(
    "The file cannot be read as a CSV (UTF-8) or XLSX recognition list: %(detail)s",
    "Không đọc được tệp dưới dạng danh sách CSV (UTF-8) hoặc XLSX: %(detail)s",
)
FILE_NOT_UTF8 = _m(
    "The file is not UTF-8 text (near row %(row)s): save it as “CSV UTF-8” and import it again.",
    "Tệp không phải văn bản UTF-8 (gần dòng %(row)s): hãy lưu lại dạng “CSV UTF-8” rồi nhập lại.",
)
FILE_TOO_LARGE = _m(
    "The XLSX file unpacks to more than %(limit)s MB; it is refused as a possible zip bomb.",
    "Tệp XLSX giải nén ra hơn %(limit)s MB; tệp bị từ chối vì có thể là tệp nén độc hại.",
)
HEADER_NOT_FOUND = _m(
    "No header row in the first %(rows)s rows: a product column (“Tên sản phẩm” / “Product”) "
    "and a producer column (“Chủ thể” / “Producer”) are needed.",
    "Không tìm thấy dòng tiêu đề cột trong %(rows)s dòng đầu: cần có cột sản phẩm "
    "(“Tên sản phẩm” / “Product”) và cột chủ thể (“Chủ thể” / “Producer”).",
)
COLUMN_MISSING = _m(
    "Row %(row)s (header): there is no %(column)s column.",
    "Dòng %(row)s (tiêu đề cột): không có cột %(column)s.",
)
SCORE_NOT_NUMBER = _m(
    "Row %(row)s, column “%(column)s”: “%(value)s” is not a score (a number from 0 to 100).",
    "Dòng %(row)s, cột “%(column)s”: “%(value)s” không phải là điểm (một số từ 0 đến 100).",
)
SCORE_MISSING = _m(
    "Row %(row)s, column “%(column)s”: the score is missing.",
    "Dòng %(row)s, cột “%(column)s”: thiếu điểm.",
)
SCORE_OUT_OF_RANGE = _m(
    "Row %(row)s, column “%(column)s”: the score %(value)s is outside 0–100.",
    "Dòng %(row)s, cột “%(column)s”: điểm %(value)s nằm ngoài khoảng 0–100.",
)
STARS_INVALID = _m(
    "Row %(row)s, column “%(column)s”: “%(value)s” is not a star rating from 1 to 5 "
    "(write “4”, “4 sao”, “4*” or “★★★★”).",
    "Dòng %(row)s, cột “%(column)s”: “%(value)s” không phải là hạng sao từ 1 đến 5 "
    "(ghi “4”, “4 sao”, “4*” hoặc “★★★★”).",
)
STARS_ABOVE_BAND = _m(
    "Row %(row)s, column “%(column)s”: ★%(stars)s is more than the score %(score)s allows "
    "(★%(band)s under %(framework)s).",
    "Dòng %(row)s, cột “%(column)s”: ★%(stars)s cao hơn mức điểm %(score)s cho phép "
    "(★%(band)s theo %(framework)s).",
)
NOT_RECOGNISED = _m(
    "Row %(row)s, column “%(column)s”: a ★%(stars)s product is not recognised (only ★3–★5 get "
    "a decision and a certificate); remove the row.",
    "Dòng %(row)s, cột “%(column)s”: sản phẩm ★%(stars)s không được công nhận (chỉ ★3–★5 mới "
    "có quyết định và giấy chứng nhận); hãy bỏ dòng này.",
)
PRODUCER_MISSING = _m(
    "Row %(row)s, column “%(column)s”: the producer is missing.",
    "Dòng %(row)s, cột “%(column)s”: thiếu tên chủ thể.",
)
PRODUCT_MISSING = _m(
    "Row %(row)s, column “%(column)s”: the product name is missing.",
    "Dòng %(row)s, cột “%(column)s”: thiếu tên sản phẩm.",
)
DUPLICATE_ROW = _m(
    "Row %(row)s, column “%(column)s”: the same product and producer are already on row "
    "%(first)s for the same decision.",
    "Dòng %(row)s, cột “%(column)s”: cùng sản phẩm và chủ thể đã có ở dòng %(first)s trong "
    "cùng quyết định.",
)
DATE_IMPOSSIBLE = _m(
    "Row %(row)s, column “%(column)s”: “%(value)s” is not a real date (write DD/MM/YYYY).",
    "Dòng %(row)s, cột “%(column)s”: “%(value)s” không phải là ngày có thật (ghi DD/MM/YYYY).",
)
PROVINCE_UNKNOWN = _m(
    "Row %(row)s, column “%(column)s”: “%(value)s” is not a province, current or pre-2025.",
    "Dòng %(row)s, cột “%(column)s”: “%(value)s” không phải là tỉnh/thành phố (hiện nay hoặc "
    "trước năm 2025).",
)
PROVINCE_MISSING = _m(
    "Row %(row)s, column “%(column)s”: no province for this row, and none for the decision "
    "(give one with --province).",
    "Dòng %(row)s, cột “%(column)s”: dòng này không có tỉnh/thành phố, quyết định cũng không "
    "(hãy chỉ định bằng --province).",
)
OPTION_PROVINCE_UNKNOWN = _m(
    "The province “%(value)s” given for the decision is not a province, current or pre-2025.",
    "Tỉnh/thành phố “%(value)s” chỉ định cho quyết định không phải là tỉnh/thành phố (hiện nay "
    "hoặc trước năm 2025).",
)
DECISION_NUMBER_MISSING = _m(
    "Row %(row)s, column “%(column)s”: no decision number, in the row, a title line or --decision.",
    "Dòng %(row)s, cột “%(column)s”: không có số quyết định (trong dòng, dòng tiêu đề hay "
    "--decision).",
)
DECISION_DATE_MISSING = _m(
    "Row %(row)s, column “%(column)s”: no decision date, in the row, a title line or --date.",
    "Dòng %(row)s, cột “%(column)s”: không có ngày quyết định (trong dòng, dòng tiêu đề hay "
    "--date).",
)
FRAMEWORK_UNKNOWN = _m(
    "There is no criteria framework with the code “%(value)s”.",
    "Không có bộ tiêu chí nào có mã “%(value)s”.",
)
FRAMEWORK_NOT_IN_FORCE = _m(
    "Row %(row)s, column “%(column)s”: no criteria framework was in force on %(date)s "
    "(give one with --framework).",
    "Dòng %(row)s, cột “%(column)s”: không có bộ tiêu chí nào có hiệu lực vào ngày %(date)s "
    "(hãy chỉ định bằng --framework).",
)
FRAMEWORK_AMBIGUOUS = _m(
    "Row %(row)s, column “%(column)s”: on %(date)s %(frameworks)s were both in force "
    "(dossiers pending when the new decision took effect may finish under the old rules): "
    "name the framework with --framework or a “Bộ tiêu chí” column.",
    "Dòng %(row)s, cột “%(column)s”: ngày %(date)s có hai bộ tiêu chí cùng hiệu lực "
    "(%(frameworks)s; hồ sơ đang xét khi quyết định mới có hiệu lực có thể hoàn thành theo quy "
    "định cũ): hãy chỉ định bằng --framework hoặc cột “Bộ tiêu chí”.",
)
FRAMEWORK_UNKNOWN_CELL = _m(
    "Row %(row)s, column “%(column)s”: “%(value)s” is not a known criteria framework.",
    "Dòng %(row)s, cột “%(column)s”: “%(value)s” không phải là bộ tiêu chí đã biết.",
)
STARS_NOT_GRANTED = _m(
    "Row %(row)s, column “%(column)s”: under %(framework)s ★%(stars)s is recognised at the "
    "%(levels)s level only, and this list is a %(level)s-level one (a central ★5 list is "
    "imported with --level central).",
    "Dòng %(row)s, cột “%(column)s”: theo %(framework)s, ★%(stars)s chỉ do cấp %(levels)s công "
    "nhận, còn danh sách này là của cấp %(level)s (danh sách ★5 cấp trung ương nhập với "
    "--level central).",
)
LEVEL_INVALID = _m(
    "“%(value)s” is not an evaluation level (commune, district, province, central).",
    "“%(value)s” không phải là cấp đánh giá (commune, district, province, central).",
)
LEVEL_INVALID_CELL = _m(
    "Row %(row)s, column “%(column)s”: “%(value)s” is not an evaluation level (province, "
    "central, district, commune).",
    "Dòng %(row)s, cột “%(column)s”: “%(value)s” không phải là cấp đánh giá (tỉnh, trung ương, "
    "huyện, xã).",
)
TEXT_TOO_LONG = _m(
    "Row %(row)s, column “%(column)s”: the text is longer than %(limit)s characters.",
    "Dòng %(row)s, cột “%(column)s”: nội dung dài quá %(limit)s ký tự.",
)
TAX_CODE_INVALID = _m(
    "Row %(row)s, column “%(column)s”: “%(value)s” is not a tax code (10 digits, or 10-3 for a "
    "branch).",
    "Dòng %(row)s, cột “%(column)s”: “%(value)s” không phải là mã số thuế (10 chữ số, hoặc "
    "10-3 với chi nhánh).",
)
CERTIFICATE_NUMBER_TAKEN = _m(
    "Row %(row)s: the certificate number %(value)s is already used by another product; "
    "nothing was written, report it to the registry maintainers.",
    "Dòng %(row)s: số giấy chứng nhận %(value)s đã được dùng cho sản phẩm khác; chưa ghi gì, "
    "hãy báo cho người quản trị hệ thống.",
)
