"""Open data: the public registry as dated CSV, XLSX and JSON snapshots under ``/du-lieu-mo/``.

``FIELDS`` is the one description of a record: the CSV/XLSX columns, the JSON Schema and the data
dictionary page are all read from it. ``opendata_snapshot_generate`` writes a snapshot into
``OPEN_DATA_ROOT/<YYYY-MM-DD>/`` (a later run the same day replaces that day's files) and writes
nothing when the content is what the newest snapshot already holds, so a schedule may run it as
often as it likes: a new date appears only after the registry changed. The files are written
next to their final name and renamed into place, the manifest last, so a reader never sees half a
file and the manifest's digests always describe the files beside it.

Demo rows (``is_demo``) are invented and never published. The licence is CC BY 4.0.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Certificate, CertificateStatus, EvaluationPart
from catalog.rules import certificate_last_day, certificate_status_on, score_round
from core.exports import spreadsheet_row
from core.site import site_url

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
SCHEMA_ID = "/du-lieu-mo/registry.schema.json"
FILES = {
    "registry.csv": "text/csv; charset=utf-8",
    "registry.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "registry.json": "application/json",
    "manifest.json": "application/json",
}
DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ITERATOR_CHUNK = 2000


@dataclass(frozen=True)
class Field:
    name: str
    json_type: str | list[str]  # JSON Schema type(s)
    description: str  # lazily translated
    format: str = ""  # JSON Schema format ("date", "uri")
    enum: tuple = ()


FIELDS: tuple[Field, ...] = (
    Field("certificate_number", "string", _("Certificate number, unique in the registry.")),
    Field("certificate_url", "string", _("The certificate's page on this site."), "uri"),
    Field("stars", "integer", _("Stars recognised: 3, 4 or 5."), enum=(3, 4, 5)),
    Field(
        "status",
        "string",
        _(
            "Status on the snapshot date: active (in force), expired, revoked, or superseded "
            "by a newer certificate for the same product."
        ),
        enum=tuple(CertificateStatus.values),
    ),
    Field("valid_from", "string", _("First day of validity (the decision's date)."), "date"),
    Field(
        "valid_until",
        "string",
        _(
            "Last day of validity, later than 36 months while a re-evaluation filed in time "
            "awaits its decision."
        ),
        "date",
    ),
    Field("decision_number", "string", _("Number of the recognition decision.")),
    Field("decision_date", "string", _("Date of the recognition decision."), "date"),
    Field("issuer", "string", _("Authority that issued the decision.")),
    Field(
        "source_url",
        "string",
        _("Address of the published decision, empty when none was given."),
    ),
    Field("framework", "string", _("Criteria framework the product was evaluated under (code).")),
    Field(
        "evaluation_level",
        "string",
        _("Council that evaluated the product: province or central (commune, district before)."),
        enum=("commune", "district", "province", "central"),
    ),
    Field("total_score", "number", _("Total score out of 100, rounded to 2 decimals.")),
    Field(
        "part_scores",
        "object",
        _(
            "Score of each part of the framework (A, B, C…), when recorded. In CSV and XLSX: "
            "“A=30.50; B=25.00”."
        ),
    ),
    Field("product_name", "string", _("Product name as recognised.")),
    Field("product_url", "string", _("The product's page on this site."), "uri"),
    Field("product_code", "string", _("The province's product code, empty when none.")),
    Field(
        "product_set_number",
        ["integer", "null"],
        _("Number of the product set (bộ sản phẩm) in the framework."),
    ),
    Field("product_set_name", "string", _("Name of the product set, in Vietnamese.")),
    Field("holder_name", "string", _("The producer (chủ thể OCOP) holding the certificate.")),
    Field("holder_tax_code", "string", _("The producer's tax code, empty when unknown.")),
    Field("holder_url", "string", _("The producer's page on this site."), "uri"),
    Field(
        "province_code",
        "string",
        _("Code of the producer's province (the 34 provinces since 1 July 2025)."),
    ),
    Field("province_name", "string", _("Name of the producer's province.")),
)
COLUMNS = tuple(field.name for field in FIELDS)


def opendata_root() -> Path:
    return Path(settings.OPEN_DATA_ROOT)


def opendata_records(*, day: datetime.date, origin: str) -> Iterator[dict]:
    """One record per published certificate (demo rows left out), oldest decision first; two
    queries however many (the rows in chunks, and their part scores)."""
    certificates = (
        Certificate.objects.filter(is_demo=False)
        .select_related(
            "product__holder__province",
            "evaluation__product_set",
            "product__product_set",
            "decision__framework",
        )
        .prefetch_related(
            Prefetch("evaluation__parts", queryset=EvaluationPart.objects.select_related("part"))
        )
        .order_by("decision__date", "decision__number", "number")
    )
    for certificate in certificates.iterator(chunk_size=ITERATOR_CHUNK):
        product, decision, evaluation = (
            certificate.product,
            certificate.decision,
            certificate.evaluation,
        )
        holder = product.holder
        product_set = evaluation.product_set or product.product_set
        yield {
            "certificate_number": certificate.number,
            "certificate_url": origin
            + reverse("catalog:certificate_detail", args=[certificate.number]),
            "stars": certificate.stars,
            "status": certificate_status_on(certificate, day),
            "valid_from": certificate.valid_from.isoformat(),
            "valid_until": certificate_last_day(certificate).isoformat(),
            "decision_number": decision.number,
            "decision_date": decision.date.isoformat(),
            "issuer": decision.issuer,
            "source_url": decision.source_url,
            "framework": decision.framework.code,
            "evaluation_level": evaluation.level,
            "total_score": float(score_round(evaluation.total_score)),
            "part_scores": {part.part.code: float(part.score) for part in evaluation.parts.all()},
            "product_name": product.name,
            "product_url": origin + reverse("catalog:product_detail", args=[product.slug]),
            "product_code": product.product_code,
            "product_set_number": product_set.number if product_set else None,
            "product_set_name": product_set.name if product_set else "",
            "holder_name": holder.name,
            "holder_tax_code": holder.tax_code,
            "holder_url": origin + reverse("catalog:business_detail", args=[holder.slug]),
            "province_code": holder.province.code if holder.province_id else "",
            "province_name": holder.province.name if holder.province_id else "",
        }


def _cell(record: dict, name: str):
    value = record[name]
    if name == "part_scores":
        return "; ".join(f"{code}={score:.2f}" for code, score in value.items())
    return "" if value is None else value


def opendata_schema() -> dict:
    """The JSON Schema (2020-12) of ``registry.json``, from ``FIELDS``."""
    properties = {}
    for field in FIELDS:
        prop: dict = {"type": field.json_type, "description": str(field.description)}
        if field.format == "date":
            prop["format"] = "date"
        if field.enum:
            prop["enum"] = list(field.enum)
        if field.name == "part_scores":
            prop["additionalProperties"] = {"type": "number"}
        properties[field.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": site_url() + SCHEMA_ID,
        "title": "OCOP registry open data",
        "type": "object",
        "required": ["snapshot_date", "generated_at", "licence", "source", "certificates"],
        "additionalProperties": False,
        "properties": {
            "snapshot_date": {"type": "string", "format": "date"},
            "generated_at": {"type": "string", "format": "date-time"},
            "licence": {
                "type": "object",
                "required": ["name", "url"],
                "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
            },
            "source": {"type": "string"},
            "certificates": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": list(COLUMNS),
                    "additionalProperties": False,
                    "properties": properties,
                },
            },
        },
    }


@dataclass(frozen=True)
class Snapshot:
    date: datetime.date
    directory: Path
    manifest: dict


def opendata_snapshots() -> list[Snapshot]:
    """Every snapshot with a manifest, newest first."""
    root = opendata_root()
    if not root.is_dir():
        return []
    found = []
    for entry in root.iterdir():
        manifest_path = entry / "manifest.json"
        if DATE_DIR.match(entry.name) and manifest_path.is_file():
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            found.append(
                Snapshot(
                    date=datetime.date.fromisoformat(entry.name),
                    directory=entry,
                    manifest=manifest,
                )
            )
    return sorted(found, key=lambda s: s.date, reverse=True)


def opendata_snapshot_find(*, name: str) -> Snapshot | None:
    """``name`` is a date (YYYY-MM-DD) or "latest"."""
    snapshots = opendata_snapshots()
    if name == "latest":
        return snapshots[0] if snapshots else None
    return next((s for s in snapshots if s.date.isoformat() == name), None)


def _write_atomic(path: Path, data: bytes) -> str:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return hashlib.sha256(data).hexdigest()


def opendata_snapshot_generate(*, now: datetime.datetime | None = None) -> Snapshot | None:
    """Write today's snapshot; None (nothing written) when the registry's published content is
    what the newest snapshot holds."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    origin = site_url()
    records = list(opendata_records(day=day, origin=origin))
    content = hashlib.sha256(
        json.dumps(records, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    newest = opendata_snapshot_find(name="latest")
    if newest is not None and newest.manifest.get("content_sha256") == content:
        return None

    directory = opendata_root() / day.isoformat()
    directory.mkdir(parents=True, exist_ok=True)
    generated_at = now.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    document = {
        "snapshot_date": day.isoformat(),
        "generated_at": generated_at,
        "licence": LICENCE,
        "source": origin + "/du-lieu-mo/",
        "certificates": records,
    }
    digests = {
        "registry.json": _write_atomic(
            directory / "registry.json",
            json.dumps(document, ensure_ascii=False, indent=1).encode(),
        ),
        "registry.csv": _write_atomic(directory / "registry.csv", _csv_bytes(records)),
        "registry.xlsx": _write_atomic(directory / "registry.xlsx", _xlsx_bytes(records)),
    }
    manifest = {
        "snapshot_date": day.isoformat(),
        "generated_at": generated_at,
        "certificates": len(records),
        "content_sha256": content,
        "licence": LICENCE,
        "files": {name: {"sha256": digest} for name, digest in digests.items()},
    }
    _write_atomic(
        directory / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    )
    return Snapshot(date=day, directory=directory, manifest=manifest)


def _csv_bytes(records: list[dict]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(spreadsheet_row(COLUMNS))
    for record in records:
        writer.writerow(spreadsheet_row(_cell(record, name) for name in COLUMNS))
    return text.getvalue().encode("utf-8")


def _xlsx_bytes(records: list[dict]) -> bytes:
    from openpyxl import Workbook  # only generation pays for the import

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("OCOP")
    sheet.append(spreadsheet_row(COLUMNS))
    for record in records:
        sheet.append(spreadsheet_row(_cell(record, name) for name in COLUMNS))
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
