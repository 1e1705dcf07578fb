"""Loading the OCOP rulebook (frameworks, parts, bands, product sets, score sheets) from data.

The functions take a ``get_model`` callable so that the same code serves the data migration
(historical models) and the ``load_score_sheet`` command (live models). Loading is idempotent:
rows are matched on natural keys and updated in place, so re-running changes nothing.
"""

import csv
import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from catalog.rules import RECOGNISED_STARS
from core.text import nfc, slugify_vi

DATA_DIR = Path(__file__).resolve().parent / "data"
RULEBOOK_FILE = DATA_DIR / "rulebook.json"
SET01_SHEET_FILE = DATA_DIR / "criteria-QD26-2026-set01.csv"

SCORE_SHEET_COLUMNS = (
    "framework",
    "product_set",
    "section",
    "group_code",
    "group_name",
    "criterion_code",
    "criterion_name",
    "max_points",
    "option_points",
    "option_label",
    "min_star",
)

GetModel = Callable[[str], type]


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def rulebook_load(*, get_model: GetModel, path: Path = RULEBOOK_FILE) -> None:
    """Frameworks with their dates, windows, star grants, parts, star bands, categories and
    product sets."""
    Framework = get_model("Framework")
    FrameworkPart = get_model("FrameworkPart")
    StarBand = get_model("StarBand")
    ProductCategory = get_model("ProductCategory")
    ProductSet = get_model("ProductSet")
    data = json.loads(path.read_text(encoding="utf-8"))
    # An earlier migration loads with the models of its time: fields added later are skipped.
    framework_fields = {f.name for f in Framework._meta.get_fields()}
    StarGrant = get_model("StarGrant") if "grants" in framework_fields else None
    for fw in data["frameworks"]:
        defaults = {
            "name": fw["name"],
            "decision_number": fw["decision_number"],
            "decision_date": _date(fw["decision_date"]),
            "in_force_from": _date(fw["in_force_from"]),
            "in_force_until": _date(fw["in_force_until"]),
            "validity_months": fw["validity_months"],
            "source_url": fw["source_url"],
            "reevaluation_from_days": fw.get("reevaluation_from_days"),
            "reevaluation_until_days": fw.get("reevaluation_until_days"),
            "late_grace_days": fw.get("late_grace_days"),
            "scores_with": (
                Framework.objects.get(code=fw["scores_with"]) if fw.get("scores_with") else None
            ),
        }
        framework, _ = Framework.objects.update_or_create(
            code=fw["code"],
            defaults={k: v for k, v in defaults.items() if k in framework_fields},
        )
        if StarGrant is not None:
            kept = []
            for grant in fw["grants"]:
                row, _ = StarGrant.objects.update_or_create(
                    framework=framework,
                    stars=grant["stars"],
                    level=grant["level"],
                    defaults={
                        "issuer": grant["issuer"],
                        "revoking_authority": grant["revoking_authority"],
                    },
                )
                kept.append(row.pk)
            StarGrant.objects.filter(framework=framework).exclude(pk__in=kept).delete()
        for part in fw["parts"]:
            FrameworkPart.objects.update_or_create(
                framework=framework,
                code=part["code"],
                defaults={"name": part["name"], "max_points": part["max_points"]},
            )
        for stars, min_score in fw["star_bands"]:
            StarBand.objects.update_or_create(
                framework=framework, stars=stars, defaults={"min_score": Decimal(min_score)}
            )
        categories = {}
        for cat in fw["categories"]:
            categories[cat["code"]], _ = ProductCategory.objects.update_or_create(
                framework=framework,
                code=cat["code"],
                defaults={
                    "name": cat["name"],
                    "name_en": cat["name_en"],
                    "slug": slugify_vi(cat["name_en"] or cat["name"]),
                },
            )
        for ps in fw["product_sets"]:
            ProductSet.objects.update_or_create(
                framework=framework,
                number=ps["number"],
                defaults={
                    "category": categories[ps["category"]],
                    "name": ps["name"],
                    "name_en": ps["name_en"],
                    "slug": f"{ps['number']}-{slugify_vi(ps['name_en'] or ps['name'])}"[:160],
                },
            )


@dataclass(frozen=True)
class ScoreSheetError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ScoreSheetInvalid(Exception):
    def __init__(self, errors: list[ScoreSheetError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _decimal(value: str) -> Decimal:
    return Decimal(nfc(value).replace(",", "."))


REQUIRED_TEXT_COLUMNS = (
    "group_code",
    "group_name",
    "criterion_code",
    "criterion_name",
    "option_label",
)


def _required_missing(row: dict, line: int, errors: list[ScoreSheetError]) -> list[str]:
    missing = [column for column in REQUIRED_TEXT_COLUMNS if not row.get(column)]
    errors.extend(ScoreSheetError(line, column, "required") for column in missing)
    return missing


def _number(row: dict, column: str, line: int, errors: list[ScoreSheetError]) -> Decimal | None:
    try:
        value = _decimal(row[column])
    except InvalidOperation:
        value = None
    # NaN and Infinity parse as decimals but cannot be compared with a maximum.
    if value is None or not value.is_finite():
        errors.append(ScoreSheetError(line, column, "not a number"))
        return None
    return value


def score_sheet_load(*, get_model: GetModel, lines: Iterable[str]) -> dict[str, int]:
    """Load score-sheet rows (one per answer option, columns ``SCORE_SHEET_COLUMNS``).

    Every row is checked first (known framework and product set, numbers, criterion maxima within
    the part maxima); nothing is written unless the whole file is valid. Group maxima are the sum
    of their criteria maxima. Returns counts of groups, criteria and options in the file.
    """
    Framework = get_model("Framework")
    FrameworkPart = get_model("FrameworkPart")
    ProductSet = get_model("ProductSet")
    CriterionGroup = get_model("CriterionGroup")
    Criterion = get_model("Criterion")
    CriterionOption = get_model("CriterionOption")

    reader = csv.DictReader(lines)
    missing = [c for c in SCORE_SHEET_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ScoreSheetInvalid([ScoreSheetError(1, c, "missing column") for c in missing])

    errors: list[ScoreSheetError] = []
    parsed = []
    criterion_first: dict[tuple, tuple[int, Decimal]] = {}  # (set, group, code) -> (line, max)
    section_line: dict[tuple, int] = {}  # (set, part) -> its first line, where errors point
    frameworks = {f.code: f for f in Framework.objects.all()}
    for line, row in enumerate(reader, start=2):
        row = {k: nfc(v) for k, v in row.items() if k}
        fw = frameworks.get(row["framework"])
        if fw is None:
            errors.append(
                ScoreSheetError(line, "framework", f"unknown framework {row['framework']!r}")
            )
            continue
        try:
            number = int(row["product_set"])
            product_set = ProductSet.objects.get(framework=fw, number=number)
        except (ValueError, ProductSet.DoesNotExist):
            errors.append(
                ScoreSheetError(line, "product_set", f"unknown product set {row['product_set']!r}")
            )
            continue
        try:
            part = FrameworkPart.objects.get(framework=fw, code=row["section"])
        except FrameworkPart.DoesNotExist:
            errors.append(ScoreSheetError(line, "section", f"unknown section {row['section']!r}"))
            continue
        if any(_required_missing(row, line, errors)):
            continue
        max_points = _number(row, "max_points", line, errors)
        option_points = _number(row, "option_points", line, errors)
        if max_points is None or option_points is None:
            continue
        if not Decimal(0) <= option_points <= max_points:
            errors.append(ScoreSheetError(line, "option_points", "outside 0..max_points"))
            continue
        min_star = row.get("min_star") or ""
        if min_star and min_star not in {str(n) for n in RECOGNISED_STARS}:
            errors.append(ScoreSheetError(line, "min_star", "must be 3, 4, 5 or empty"))
            continue
        ckey = (product_set.pk, row["group_code"], row["criterion_code"])
        if criterion_first.setdefault(ckey, (line, max_points))[1] != max_points:
            # Every option row repeats its criterion's maximum; two maxima cannot both hold.
            errors.append(
                ScoreSheetError(
                    line,
                    "max_points",
                    f"criterion {row['criterion_code']} has maximum {criterion_first[ckey][1]} "
                    f"on line {criterion_first[ckey][0]}",
                )
            )
            continue
        section_line.setdefault((product_set.pk, part.pk), line)
        marker = int(min_star) if min_star else None
        parsed.append((product_set, part, row, max_points, option_points, marker))

    # Section totals may not exceed the framework's part maxima.
    criterion_max: dict[tuple, Decimal] = {}
    for product_set, part, row, max_points, _p, _m in parsed:
        criterion_max[(product_set.pk, part.pk, row["criterion_code"])] = max_points
    per_part: dict[tuple, Decimal] = {}
    for (set_pk, part_pk, _c), value in criterion_max.items():
        per_part[(set_pk, part_pk)] = per_part.get((set_pk, part_pk), Decimal(0)) + value
    parts_by_pk = {p.pk: p for _s, p, *_ in parsed}
    sets_by_pk = {s.pk: s for s, *_ in parsed}
    for (set_pk, part_pk), total in per_part.items():
        part = parts_by_pk[part_pk]
        if total > part.max_points:
            errors.append(
                ScoreSheetError(
                    section_line[(set_pk, part_pk)],
                    "max_points",
                    f"product set {sets_by_pk[set_pk].number} section {part.code} sums to "
                    f"{total} > {part.max_points}",
                )
            )
    if errors:
        raise ScoreSheetInvalid(errors)

    # A group's maximum is the sum of its criteria maxima.
    criterion_max_by_group: dict[tuple, Decimal] = {}
    for product_set, _part, row, max_points, _p, _m in parsed:
        criterion_max_by_group[(product_set.pk, row["group_code"], row["criterion_code"])] = (
            max_points
        )
    group_totals: dict[tuple, Decimal] = {}
    for (set_pk, group_code, _c), value in criterion_max_by_group.items():
        group_totals[(set_pk, group_code)] = (
            group_totals.get((set_pk, group_code), Decimal(0)) + value
        )

    counts = {"groups": 0, "criteria": 0, "options": 0}
    groups: dict[tuple, object] = {}
    criteria: dict[tuple, object] = {}
    option_positions: dict[int, int] = {}
    for product_set, part, row, max_points, option_points, min_star in parsed:
        gkey = (product_set.pk, row["group_code"])
        if gkey not in groups:
            groups[gkey], _ = CriterionGroup.objects.update_or_create(
                product_set=product_set,
                code=row["group_code"],
                defaults={
                    "part": part,
                    "name": row["group_name"],
                    "max_points": group_totals[gkey],
                    "position": len(groups),
                },
            )
            counts["groups"] += 1
        group = groups[gkey]
        ckey = (product_set.pk, row["group_code"], row["criterion_code"])
        if ckey not in criteria:
            criteria[ckey], _ = Criterion.objects.update_or_create(
                group=group,
                code=row["criterion_code"],
                defaults={
                    "name": row["criterion_name"],
                    "max_points": max_points,
                    "position": len(criteria),
                },
            )
            counts["criteria"] += 1
        criterion = criteria[ckey]
        position = option_positions.get(criterion.pk, 0)
        option_positions[criterion.pk] = position + 1
        CriterionOption.objects.update_or_create(
            criterion=criterion,
            position=position,
            defaults={"points": option_points, "label": row["option_label"], "min_star": min_star},
        )
        counts["options"] += 1
    return counts
