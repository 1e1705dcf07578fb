"""What an import did, or would do, and why rows were refused."""

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RowError:
    """One refusal: ``row`` as numbered in the file (None for the file as a whole) and the
    column header as the file writes it."""

    row: int | None
    column: str
    message_vi: str
    message_en: str


# (field, Vietnamese label, English label), in the order reports show them.
COUNT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("rows_read", "Số dòng đã đọc", "Rows read"),
    ("rows_skipped", "Dòng bỏ qua (trống, tổng cộng)", "Rows skipped (blank, totals)"),
    ("decisions_created", "Quyết định tạo mới", "Decisions created"),
    ("decisions_matched", "Quyết định đã có", "Decisions matched"),
    ("businesses_created", "Chủ thể tạo mới", "Businesses created"),
    ("businesses_matched", "Chủ thể đã có", "Businesses matched"),
    ("products_created", "Sản phẩm tạo mới", "Products created"),
    ("products_matched", "Sản phẩm đã có", "Products matched"),
    ("evaluations_created", "Kết quả đánh giá tạo mới", "Evaluations created"),
    ("certificates_created", "Giấy chứng nhận tạo mới", "Certificates created"),
    ("unchanged", "Không thay đổi (đã nhập trước đó)", "Unchanged (already imported)"),
    ("superseded", "Giấy chứng nhận bị thay thế", "Certificates superseded"),
)


@dataclass
class ImportReport:
    file_name: str = ""
    sha256: str = ""
    dry_run: bool = False
    applied: bool = False
    rows_read: int = 0
    rows_skipped: int = 0
    decisions_created: int = 0
    decisions_matched: int = 0
    businesses_created: int = 0
    businesses_matched: int = 0
    products_created: int = 0
    products_matched: int = 0
    evaluations_created: int = 0
    certificates_created: int = 0
    unchanged: int = 0
    superseded: int = 0
    decisions: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        """Whether applying the file wrote anything: a file imported again changes nothing."""
        return any(
            getattr(self, name)
            for name in (
                "decisions_created",
                "businesses_created",
                "products_created",
                "evaluations_created",
                "certificates_created",
                "superseded",
            )
        )

    def counts(self) -> list[tuple[str, str, str, int]]:
        """(field, Vietnamese label, English label, value) rows for templates and the command."""
        return [(name, vi, en, getattr(self, name)) for name, vi, en in COUNT_LABELS]

    def to_dict(self, *, errors_kept: int | None = None) -> dict:
        """As JSON data; ``errors_kept`` keeps only the first errors (a job's stored result),
        ``errors_total`` still counting all of them."""
        data = asdict(self)
        if errors_kept is not None:
            data["errors"] = data["errors"][:errors_kept]
        data["errors_total"] = len(self.errors)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        known = {name: value for name, value in data.items() if name in cls.__dataclass_fields__}
        known["errors"] = [RowError(**error) for error in data.get("errors", [])]
        return cls(**known)
