"""Writes to the OCOP registry. Every status change of a certificate goes through here."""

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.errors import NOT_RECOGNISED, RegistryError
from catalog.models import (
    Certificate,
    CertificateStatus,
    Criterion,
    CriterionOption,
    Decision,
    Evaluation,
    EvaluationChoice,
    EvaluationLevel,
    EvaluationPart,
    Framework,
    FrameworkPart,
    Product,
    ProductSet,
    RevocationGround,
    StarBand,
    StarGrant,
)
from catalog.rules import (
    MAX_TOTAL,
    band_stars,
    certificate_placement,
    grant_levels,
    in_force_q,
    score_round,
    stars_recognised,
)
from catalog.selectors import framework_current, framework_for_date
from core.search import search_rows_changed
from core.text import nfc


@dataclass(frozen=True)
class StarResult:
    band_stars: int
    stars: int
    caps: list[dict] = field(default_factory=list)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later, clamped to the month's end (31/01 + 1 month -> 28 or 29/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _score(value, *, field: str) -> Decimal:
    """A score as an exact Decimal. Floats go through ``str`` (Decimal(72.17) would carry the
    binary error into half-up rounding); text that is no finite number is refused."""
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise RegistryError(
            _("%(value)s is not a number.") % {"value": value}, code="invalid", field=field
        )
    return number


def evaluation_average(*, member_totals: Sequence[Decimal]) -> Decimal:
    """The exact average of council members' totals: stars are banded on it, and only the
    figure stored and shown is rounded (``catalog.rules.score_round``)."""
    if not member_totals:
        raise RegistryError(
            _("At least one council member's total is needed."),
            code="required",
            field="member_totals",
        )
    totals = [_score(value, field="member_totals") for value in member_totals]
    for value in totals:
        if not Decimal(0) <= value <= MAX_TOTAL:
            raise RegistryError(
                _("A council member's total must be between 0 and 100, not %(value)s.")
                % {"value": value},
                code="out_of_range",
                field="member_totals",
            )
    return sum(totals, Decimal(0)) / len(totals)


def evaluation_stars(
    *,
    framework: Framework,
    total_score: Decimal,
    chosen_options: Iterable[CriterionOption] = (),
    bands: Sequence[StarBand] | None = None,
    minimum_options: Iterable[CriterionOption] | None = None,
) -> StarResult:
    """Stars from the average total (bands) capped by minimum requirements.

    A criterion whose options carry a "minimum for ★n" marker caps the result at ★(n-1) when the
    chosen option scores below the marked one. Caps apply only when the per-criterion choices are
    known. ``bands`` and ``minimum_options`` may be passed in to avoid queries in bulk imports.
    """
    total_score = _score(total_score, field="total_score")
    if not Decimal(0) <= total_score <= MAX_TOTAL:
        raise RegistryError(
            _("The total score must be between 0 and 100, not %(value)s.") % {"value": total_score},
            code="out_of_range",
            field="total_score",
        )
    if bands is None:
        bands = list(StarBand.objects.filter(framework=framework.scoring).order_by("-min_score"))
    banded = band_stars(bands=bands, total=total_score)
    chosen = {opt.criterion_id: opt for opt in chosen_options}
    caps: list[dict] = []
    stars = banded
    if chosen:
        if minimum_options is None:
            minimum_options = CriterionOption.objects.filter(
                criterion_id__in=chosen.keys(), min_star__isnull=False
            ).select_related("criterion")
        for marker in minimum_options:
            picked = chosen.get(marker.criterion_id)
            # An unscored criterion (a provisional sheet) has not met its minimum.
            if picked is not None and picked.points >= marker.points:
                continue
            if stars >= marker.min_star:
                caps.append(
                    {
                        "criterion": marker.criterion.code,
                        "criterion_name": marker.criterion.name,
                        "required_points": str(marker.points),
                        "chosen_points": str(picked.points) if picked is not None else None,
                        "min_star": marker.min_star,
                        "capped_to": marker.min_star - 1,
                    }
                )
        if caps:
            stars = min(stars, min(c["capped_to"] for c in caps))
    return StarResult(band_stars=banded, stars=stars, caps=caps)


@transaction.atomic
def evaluation_record(
    *,
    product: Product,
    level: str,
    evaluated_on: datetime.date,
    framework: Framework | None = None,
    member_totals: Sequence[Decimal] | None = None,
    total_score: Decimal | None = None,
    part_scores: Mapping[str, Decimal] | None = None,
    choices: Mapping[str, Decimal] | None = None,
    product_set: ProductSet | None = None,
    council: str = "",
    decision: Decision | None = None,
    source_url: str = "",
    is_demo: bool = False,
    provisional: bool = False,
) -> Evaluation:
    """Add a scoring record (history is kept: this never edits an earlier one).

    ``choices`` maps criterion code -> points of the chosen option in the product set's sheet;
    when given, the total is their sum and part scores are derived from them. A sheet with
    criteria left unscored is refused, naming them, unless the caller asks for a ``provisional``
    result: then an unscored minimum counts as missed, and no certificate can be issued on it.
    Without a
    ``framework`` the decision's is taken, else the one in force on ``evaluated_on`` — refused
    inside an overlap of two frameworks, where only the caller knows which applies.
    """
    if level not in EvaluationLevel.values:
        raise RegistryError(_("Unknown evaluation level."), code="invalid", field="level")
    if framework is None:
        framework = decision.framework if decision else framework_for_date(day=evaluated_on)
    product_set = product_set or product.product_set
    chosen: list[CriterionOption] = []
    minimum_options: list[CriterionOption] | None = None
    missing: list[str] = []
    if choices:
        if product_set is None:
            raise RegistryError(
                _("Per-criterion choices need the product's product set."),
                code="required",
                field="product_set",
            )
        criteria = {
            c.code: c
            for c in Criterion.objects.filter(group__product_set=product_set)
            .select_related("group__part")
            .prefetch_related("options")
        }
        derived_parts: dict[str, Decimal] = {}
        for code, points in choices.items():
            criterion = criteria.get(code)
            if criterion is None:
                raise RegistryError(
                    _("Criterion %(code)s is not on this product set's score sheet.")
                    % {"code": code},
                    code="not_found",
                    field="choices",
                )
            option = next((o for o in criterion.options.all() if o.points == Decimal(points)), None)
            if option is None:
                raise RegistryError(
                    _("Criterion %(code)s has no option worth %(points)s points.")
                    % {"code": code, "points": points},
                    code="invalid",
                    field="choices",
                )
            chosen.append(option)
            part_code = criterion.group.part.code
            derived_parts[part_code] = derived_parts.get(part_code, Decimal(0)) + option.points
        missing = [code for code in criteria if code not in choices]
        if missing and not provisional:
            raise RegistryError(
                _(
                    "The score sheet is incomplete: %(codes)s not scored. Score every criterion, "
                    "or record the result as provisional."
                )
                % {"codes": ", ".join(missing)},
                code="incomplete",
                field="choices",
            )
        minimum_options = [
            o for c in criteria.values() for o in c.options.all() if o.min_star is not None
        ]
        part_scores = part_scores or derived_parts
        if total_score is None and not member_totals:
            total_score = sum(derived_parts.values(), Decimal(0))
    if member_totals:
        total_score = evaluation_average(member_totals=member_totals)
    if total_score is None:
        raise RegistryError(_("A total score is needed."), code="required", field="total_score")
    # Banded on the exact figure, stored rounded: 89.99/90/90 averages 89.9967, ★4 shown as 90.00.
    total_score = _score(total_score, field="total_score")

    parts = {p.code: p for p in FrameworkPart.objects.filter(framework=framework.scoring)}
    part_scores = {
        code: _score(score, field="part_scores") for code, score in (part_scores or {}).items()
    }
    for code, score in part_scores.items():
        part = parts.get(code)
        if part is None:
            raise RegistryError(
                _("Part %(code)s does not exist in %(framework)s.")
                % {"code": code, "framework": framework.name},
                code="invalid",
                field="part_scores",
            )
        if not Decimal(0) <= score <= part.max_points:
            raise RegistryError(
                _("Part %(code)s scores %(score)s, outside 0–%(max)s.")
                % {"code": code, "score": score, "max": part.max_points},
                code="out_of_range",
                field="part_scores",
            )

    result = evaluation_stars(
        framework=framework,
        total_score=total_score,
        chosen_options=chosen,
        minimum_options=minimum_options,
    )
    evaluation = Evaluation.objects.create(
        product=product,
        framework=framework,
        product_set=product_set,
        level=level,
        council=council,
        evaluated_on=evaluated_on,
        member_totals=[str(_score(v, field="member_totals")) for v in (member_totals or [])],
        total_score=score_round(total_score),
        band_stars=result.band_stars,
        stars=result.stars,
        caps_applied=result.caps,
        provisional=bool(missing),
        missing_criteria=missing,
        decision=decision,
        source_url=source_url or (decision.source_url if decision else ""),
        is_demo=is_demo,
    )
    EvaluationPart.objects.bulk_create(
        EvaluationPart(evaluation=evaluation, part=parts[code], score=score)
        for code, score in part_scores.items()
    )
    EvaluationChoice.objects.bulk_create(
        EvaluationChoice(evaluation=evaluation, criterion_id=o.criterion_id, option=o)
        for o in chosen
    )
    return evaluation


def star_grant_check(*, framework: Framework, stars: int, level: str, grants: Iterable) -> None:
    """Refuse a recognition at ``stars`` by a ``level`` the framework does not let grant it
    (★5: the central council only). ``grants`` are the framework's ``StarGrant`` rows."""
    levels = grant_levels(grants, framework=framework, stars=stars)
    if level in levels:
        return
    raise RegistryError(
        _("Under %(framework)s ★%(stars)s is recognised by %(levels)s, not by the %(level)s.")
        % {
            "framework": framework.name,
            "stars": stars,
            "levels": " / ".join(str(EvaluationLevel(lv).label) for lv in levels) or "—",
            "level": str(EvaluationLevel(level).label).lower(),
        },
        code="not_granted",
        field="level",
    )


def certificate_number(*, decision: Decision, product: Product) -> str:
    """A stable number for (decision, product): re-importing a decision yields the same one."""
    digest = hashlib.sha256(f"{decision.number}|{decision.date}|{product.pk}".encode()).hexdigest()
    province = decision.province.code if decision.province_id else "00"
    # 12 hex digits (48 bits): a province-year of 50,000 certificates stays clear of clashes.
    return f"OCOP-{province}-{decision.date:%y}-{digest[:12].upper()}"


@transaction.atomic
def certificate_issue(
    *,
    evaluation: Evaluation,
    decision: Decision,
    valid_from: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Certificate:
    """Recognise a product at the evaluation's star; a certificate in force is superseded.

    ★1–★2 evaluations are refused: they get no decision and no certificate. A decision older
    than the certificate in force (history imported late) is recorded as superseded by it, or
    as expired, and never knocks the newer one out.
    """
    if not stars_recognised(evaluation.stars):
        raise RegistryError(NOT_RECOGNISED, code="not_recognised", field="stars")
    if evaluation.provisional:
        raise RegistryError(
            _("A provisional result (criteria %(codes)s not scored) cannot be recognised.")
            % {"codes": ", ".join(evaluation.missing_criteria)},
            code="provisional",
            field="evaluation",
        )
    star_grant_check(
        framework=evaluation.framework,
        stars=evaluation.stars,
        level=evaluation.level,
        grants=StarGrant.objects.filter(framework=evaluation.framework, stars=evaluation.stars),
    )
    now = now or timezone.now()
    # The local date: between midnight and 07:00 in Hà Nội the UTC date is still yesterday.
    today = timezone.localdate(now)
    valid_from = valid_from or decision.date
    valid_until = add_months(valid_from, evaluation.framework.validity_months)
    product = Product.objects.select_for_update().get(pk=evaluation.product_id)
    previous = list(
        Certificate.objects.select_for_update().filter(
            product=product, status=CertificateStatus.ACTIVE
        )
    )
    current = max(previous, key=lambda c: c.valid_from, default=None)
    status, replaces = certificate_placement(
        valid_from=valid_from,
        valid_until=valid_until,
        current_from=current.valid_from if current else None,
        today=today,
    )
    fields = {
        "number": certificate_number(decision=decision, product=product),
        "product": product,
        "evaluation": evaluation,
        "decision": decision,
        "stars": evaluation.stars,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "status_changed_at": now,
        "is_demo": evaluation.is_demo,
    }
    if current is not None and not replaces:
        certificate = Certificate.objects.create(
            **fields,
            status=status,
            superseded_by=current if status == CertificateStatus.SUPERSEDED else None,
        )
        search_rows_changed(Product, [product.pk])
        return certificate
    for old in previous:
        # Retired first: one active certificate per product is a database constraint.
        old.status = CertificateStatus.SUPERSEDED
        old.status_changed_at = now
        old.save(update_fields=["status", "status_changed_at"])
    certificate = Certificate.objects.create(**fields, status=status)
    if previous:
        retired = [c.pk for c in previous]
        Certificate.objects.filter(pk__in=retired).update(superseded_by=certificate)
    search_rows_changed(Product, [product.pk])
    return certificate


@transaction.atomic
def certificate_revoke(
    *,
    certificate: Certificate,
    ground: str,
    decision_number: str,
    decision_date: datetime.date,
    authority: str = "",
    note: str = "",
    user=None,
    now: datetime.datetime | None = None,
) -> Certificate:
    """Revoke on one of the six grounds of 26/2026 Art. 8 by a revocation decision (number,
    date). Only an active certificate can be. The deciding authority, unless given, is the one
    the framework's star grants name (the provincial chair for ★3–★4, the minister for ★5). The
    certificate was in force until the day before the decision's date."""
    if ground not in RevocationGround.values:
        raise RegistryError(
            _("Choose one of the six revocation grounds."), code="invalid", field="ground"
        )
    decision_number = nfc(decision_number or "").strip()
    if not decision_number:
        raise RegistryError(
            _("The revocation decision's number is needed."),
            code="required",
            field="decision_number",
        )
    if len(decision_number) > 60:
        raise RegistryError(
            _("The decision number can have at most 60 characters."),
            code="too_long",
            field="decision_number",
        )
    if decision_date is None:
        raise RegistryError(
            _("The revocation decision's date is needed."),
            code="required",
            field="decision_date",
        )
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("evaluation__framework")
        .get(pk=certificate.pk)
    )
    if decision_date > timezone.localdate(now or timezone.now()):
        raise RegistryError(
            _("A revocation decision cannot be dated in the future."),
            code="invalid",
            field="decision_date",
        )
    if decision_date < certificate.valid_from:
        raise RegistryError(
            _("The revocation decision cannot be dated before the certificate's validity."),
            code="invalid",
            field="decision_date",
        )
    if certificate.status != CertificateStatus.ACTIVE:
        raise RegistryError(
            _("Only an active certificate can be revoked; this one is %(status)s.")
            % {"status": certificate.get_status_display()},
            code="invalid_status",
            field="certificate",
        )
    if not authority:
        evaluation = certificate.evaluation
        grant = (
            StarGrant.objects.filter(
                framework=evaluation.framework, stars=certificate.stars, level=evaluation.level
            ).first()
            or StarGrant.objects.filter(
                framework=evaluation.framework, stars=certificate.stars
            ).first()
        )
        authority = grant.revoking_authority if grant else ""
    certificate.status = CertificateStatus.REVOKED
    certificate.revocation_ground = ground
    certificate.revocation_note = note
    certificate.revocation_decision_number = decision_number
    certificate.revocation_decision_date = decision_date
    certificate.revoking_authority = nfc(authority).strip()[:255]
    certificate.revoked_by = user if user is not None and user.is_authenticated else None
    certificate.status_changed_at = now or timezone.now()
    certificate.save(
        update_fields=[
            "status",
            "revocation_ground",
            "revocation_note",
            "revocation_decision_number",
            "revocation_decision_date",
            "revoking_authority",
            "revoked_by",
            "status_changed_at",
        ]
    )
    search_rows_changed(Product, [certificate.product_id])
    return certificate


@transaction.atomic
def certificate_reevaluation_filed(
    *, certificate: Certificate, filed_on: datetime.date, now: datetime.datetime | None = None
) -> Certificate:
    """Record that the holder filed for re-evaluation: under a framework with a late filer's
    grace (26/2026 Art. 12) the certificate stays valid until the decision — superseded by the
    new certificate, or revoked — and at most the grace past its expiry."""
    today = timezone.localdate(now or timezone.now())
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.ACTIVE:
        raise RegistryError(
            _("Only an active certificate can be re-evaluated; this one is %(status)s.")
            % {"status": certificate.get_status_display()},
            code="invalid_status",
            field="certificate",
        )
    if filed_on > today or filed_on < certificate.valid_from:
        raise RegistryError(
            _("The filing date must lie between the certificate's start and today."),
            code="invalid",
            field="filed_on",
        )
    framework = framework_current(today=filed_on).first()
    grace = framework.late_grace_days if framework else None
    if not grace or filed_on > certificate.valid_until:
        raise RegistryError(
            _("No validity is kept for this filing under the framework in force."),
            code="no_grace",
            field="filed_on",
        )
    certificate.reevaluation_filed_on = filed_on
    certificate.kept_until = certificate.valid_until + datetime.timedelta(days=grace)
    certificate.save(update_fields=["reevaluation_filed_on", "kept_until"])
    search_rows_changed(Product, [certificate.product_id])
    return certificate


@transaction.atomic
def certificate_expire_due(*, today: datetime.date | None = None) -> int:
    """Record as expired every active certificate past its validity (kept validity included).
    Returns how many."""
    today = today or timezone.localdate()
    due = Certificate.objects.filter(status=CertificateStatus.ACTIVE).exclude(in_force_q(today))
    due = due.filter(valid_from__lte=today)
    products = list(due.values_list("product_id", flat=True))
    expired = due.update(status=CertificateStatus.EXPIRED, status_changed_at=timezone.now())
    search_rows_changed(Product, products)
    return expired
