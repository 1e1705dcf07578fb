"""The invented scoring history: decisions, score sheets, a revocation and the GTINs, as fixed
data (dates are absolute, so loading on another day finds the same rows)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from catalog.models import (
    EvaluationLevel,
    RevocationGround,
)

# ---------------------------------------------------------------------------------------------
# The invented scoring history. Fixed dates: the 2023 decision is past its 36 months (expired),
# the others are in force until 2027–2029.


@dataclass(frozen=True)
class DecisionSpec:
    number: str
    date: datetime.date
    issuer: str
    framework: str
    provincial: bool
    level: str
    council: str


PROVINCIAL_COUNCIL = "Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh Quảng Ninh (demo)"
DECISIONS: dict[str, DecisionSpec] = {
    "2023": DecisionSpec(
        "DEMO-1011/QĐ-UBND",
        datetime.date(2023, 5, 10),
        "UBND tỉnh Quảng Ninh",
        "QD148-2023",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
    "2024": DecisionSpec(
        "DEMO-2468/QĐ-UBND",
        datetime.date(2024, 9, 16),
        "UBND tỉnh Quảng Ninh",
        "QD148-2023",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
    # ★5 is recognised centrally (by the ministry under 148/2023), never by the province.
    "2024-central": DecisionSpec(
        "DEMO-0921/QĐ-BNN-KTHT",
        datetime.date(2024, 11, 20),
        "Bộ Nông nghiệp và Phát triển nông thôn",
        "QD148-2023",
        False,
        EvaluationLevel.CENTRAL,
        "Hội đồng đánh giá, phân hạng sản phẩm OCOP cấp trung ương (demo)",
    ),
    "2025": DecisionSpec(
        "DEMO-1357/QĐ-UBND",
        datetime.date(2025, 6, 20),
        "UBND tỉnh Quảng Ninh",
        "QD148-2023",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
    "2026": DecisionSpec(
        "DEMO-3690/QĐ-UBND",
        datetime.date(2026, 9, 15),
        "UBND tỉnh Quảng Ninh",
        "QD26-2026",
        True,
        EvaluationLevel.PROVINCE,
        PROVINCIAL_COUNCIL,
    ),
}

# Set-1 score sheet of 26/2026 (criterion code -> points of the chosen option). Total 71 is ★4 by
# band, but 2.3 "style and labelling" scores 2 where 3 (electronic traceability code on the
# label) is the ★4 minimum: the product is capped at ★3.
# fmt: off
CAM_VAN_YEN_CHOICES: dict[str, Decimal] = {
    code: Decimal(points)
    for code, points in {
        # A 29/40
        "1.1": 3, "1.2": 1, "1.3": 2, "1.4": 2, "1.5": 2, "1.6": 2, "1.7": 0,
        "2.1": 3, "2.2": 2, "2.3": 2, "2.4": 0,
        "3.1": 3, "3.2": 0, "3.3": 3, "3.4": 2, "3.5": 2,
        # B 18/25
        "4.1": 3, "4.2": 2, "4.3": 3,
        "5.1": 5, "5.2": 2, "5.3": 3,
        # C 24/35
        "6.1": 2, "6.2": 3, "6.3": 3, "6.4": 2,
        "7": 1, "8": 3, "9": 4, "10": 3, "11": 2, "12": 1,
    }.items()
}
# fmt: on
# The same sheet with the traceability code on the label: 72 points, every ★4 minimum met.
RAU_MAM_CHOICES: dict[str, Decimal] = {**CAM_VAN_YEN_CHOICES, "2.3": Decimal(3)}


@dataclass(frozen=True)
class ScoreSpec:
    product: str
    holder: str
    decision: str | None
    parts: tuple[int, int, int] | None = None
    choices: dict[str, Decimal] | None = None
    certify: bool = True
    revoke: str = ""
    # Only for the record without a decision (a commune pre-review).
    level: str = ""
    evaluated_on: datetime.date | None = None
    framework: str = ""
    council: str = ""


# In date order: issuing a certificate supersedes the product's certificate in force.
SCORES: tuple[ScoreSpec, ...] = (
    ScoreSpec("Mật ong Tiên Yên", "Hợp tác xã Khai thác mật ong Tiên Yên", "2023", (26, 15, 21)),
    ScoreSpec("Củ cải khô Đầm Hà", "HTX DV nông nghiệp tổng hợp Trường Sơn", "2023", (25, 14, 20)),
    ScoreSpec("Cá song Đầm Hà", "HTX TMDV và nuôi trồng thủy sản Đức Thịnh", "2023", (24, 13, 21)),
    ScoreSpec("Miến dong Bình Liêu", "CT CP thương mại và dịch vụ Bình Liêu", "2024", (32, 20, 27)),
    ScoreSpec(
        "Rau mầm Song Hành", "Công ty cổ phần đầu tư Song Hành Quảng Ninh", "2024", (27, 15, 23)
    ),
    ScoreSpec(
        "Trứng vịt biển Đồng Rui",
        "Hợp tác xã vịt Đồng Tiến",
        "2024",
        (25, 15, 22),
        revoke=RevocationGround.MARK_MISUSE,
    ),
    ScoreSpec("Ba kích khô Ba Chẽ", "HTX kinh doanh lâm sản ngoài gỗ Ba Chẽ", "2024", (26, 16, 24)),
    ScoreSpec("Nước mắm sá sùng Cái Rồng", "Công ty CP thủy sản Cái Rồng", "2024", (33, 19, 29)),
    ScoreSpec(
        "Chả mực Hạ Long",
        "Hội Sản xuất và kinh doanh chả mực Hạ Long",
        "2024-central",
        (38, 23, 32),
    ),
    ScoreSpec(
        "Trà hoa vàng Ba Chẽ",
        "Công ty CP kinh doanh lâm sản Đạp Thanh",
        "2024-central",
        (37, 22, 32),
    ),
    ScoreSpec("Mật ong Tiên Yên", "Hợp tác xã Khai thác mật ong Tiên Yên", "2025", (31, 19, 26)),
    ScoreSpec(
        "Rượu ba kích Ba Chẽ", "Công ty CP kinh doanh lâm sản Đạp Thanh", "2025", (33, 20, 28)
    ),
    ScoreSpec("Chè Đường Hoa", "Công ty TNHH Thuấn Quỳnh", "2025", (27, 15, 24)),
    ScoreSpec(
        "Gốm sứ trang trí Quang Vinh", "Công ty TNHH gốm sứ Quang Vinh", "2025", (32, 20, 27)
    ),
    ScoreSpec("Giò lụa Móng Cái", "Cơ sở sản xuất giò chả Quang Dần", "2025", (25, 16, 23)),
    ScoreSpec("Cam Vạn Yên", "HTX Nông trang Vạn Yên", "2026", choices=CAM_VAN_YEN_CHOICES),
    # An upgrade: ★3 in 2024, ★4 now; the 2024 certificate is superseded.
    ScoreSpec(
        "Rau mầm Song Hành",
        "Công ty cổ phần đầu tư Song Hành Quảng Ninh",
        "2026",
        choices=RAU_MAM_CHOICES,
    ),
    # A commune pre-review below 50 points: ★2, so no decision and no certificate.
    ScoreSpec(
        "Cốm hồng hương Yên Tử",
        "Công ty CP Giống cây trồng Quảng Ninh",
        None,
        (18, 10, 17),
        certify=False,
        level=EvaluationLevel.COMMUNE,
        evaluated_on=datetime.date(2026, 10, 5),
        framework="QD26-2026",
        council="Tổ thẩm định cấp xã (demo)",
    ),
)
REVOCATION_NOTE = "Dữ liệu minh hoạ (demo), không phải quyết định thu hồi thật."
REVOCATION_DECISION = "DEMO-0412/QĐ-UBND"
REVOKED_AFTER_DAYS = 200
# (holder, product) whose first pack gets a demo GTIN-13 (893…); the rest have none, like most
# OCOP goods.
GTIN_PRODUCTS: tuple[tuple[str, str], ...] = (
    ("Hợp tác xã Khai thác mật ong Tiên Yên", "Mật ong Tiên Yên"),
    ("Hội Sản xuất và kinh doanh chả mực Hạ Long", "Chả mực Hạ Long"),
    ("Công ty CP kinh doanh lâm sản Đạp Thanh", "Trà hoa vàng Ba Chẽ"),
    ("Công ty CP thủy sản Cái Rồng", "Nước mắm sá sùng Cái Rồng"),
    ("CT CP thương mại và dịch vụ Bình Liêu", "Miến dong Bình Liêu"),
    ("Công ty CP kinh doanh lâm sản Đạp Thanh", "Rượu ba kích Ba Chẽ"),
    ("HTX Nông trang Vạn Yên", "Cam Vạn Yên"),
    ("Công ty TNHH gốm sứ Quang Vinh", "Gốm sứ trang trí Quang Vinh"),
)
