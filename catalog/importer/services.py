"""Importing a provincial recognition list: validate every row, then write all or nothing.

Three passes, so that a 50,000-row file needs neither per-row queries nor the file in memory:

1. Stream the rows (``parsing``), validate each against lookups loaded once (``validation``)
   and keep a compact ``ValidRow`` per good row. Any error stops here: nothing is written.
2. Resolve businesses, products and decisions against the database with a handful of ``IN``
   queries, and plan certificates and supersession in memory (``writing``).
3. Write everything with ``bulk_create`` in batches inside one transaction (``writing``).

This module is the service: options and title lines, the passes in order, the transaction and the
import record.
"""

import datetime
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from catalog.importer import messages as m
from catalog.importer.parsing import (
    HEADER_SCAN_ROWS,
    XLSX_MAX_UNPACKED_MB,
    FileUnreadable,
    TitleDecision,
    cell_text,
    sheet_open,
)
from catalog.importer.report import ImportReport, RowError
from catalog.importer.validation import Options, Validator
from catalog.importer.writing import Abort, rows_write
from catalog.models import EvaluationLevel, Framework, RegistryImport
from core.jobs import (
    job_file_get,
    job_file_store,
    job_files_atomic,
    job_finish,
    job_progress,
    job_start,
)
from core.models import Job, Province
from core.selectors import province_key, province_lookup_table
from core.text import nfc

TITLE_COLUMN = "Tiêu đề / Title"
IMPORT_TASK = "catalog.registry_import"
# Errors kept on a finished job (its page shows them; the count says how many there were).
ERRORS_KEPT = 500
# Rows between two progress reports: a report is one cache write, never a query.
PROGRESS_EVERY = 1000

# progress(rows_read, errors_so_far, phase, written, to_write): phase is "reading" (validating
# rows; written and to_write are 0), "writing" (rows whose evaluation and certificate are
# written, of the valid rows) or "indexing" (products whose search documents are written).
Progress = Callable[[int, int, str, int, int], None]


def _file_error(report: ImportReport, message: m.Message, **params) -> ImportReport:
    vi, en = message.render(**params)
    report.errors.append(
        RowError(
            row=params.get("row"), column=params.get("column", ""), message_vi=vi, message_en=en
        )
    )
    return report


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def registry_import(
    *,
    source: str | os.PathLike | BinaryIO,
    file_name: str = "",
    dry_run: bool = False,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    province: str = "",
    framework_code: str = "",
    issuer: str = "",
    source_url: str = "",
    level: str = EvaluationLevel.PROVINCE,
    user=None,
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one recognition list (CSV or XLSX): all rows or none.

    Decision details come from the options, else from a title line above the header ("Kèm theo
    Quyết định số 3981/QĐ-UBND ngày 05/8/2026 của UBND tỉnh Lâm Đồng"); rows with their own
    decision columns may name several decisions. Returns the report; ``report.ok`` is False and
    nothing is written when any row is refused. ``dry_run`` validates and counts, then rolls
    back. ``progress`` (a background job's) is told the rows read and errors so far every
    ``PROGRESS_EVERY`` rows, once more before writing, then the rows written and the products
    indexed as the write goes (``Progress``).
    """
    now = now or timezone.now()
    if isinstance(source, str | os.PathLike):
        file_name = file_name or Path(source).name
        with open(source, "rb") as stream:
            return registry_import(
                source=stream,
                file_name=file_name,
                dry_run=dry_run,
                decision_number=decision_number,
                decision_date=decision_date,
                province=province,
                framework_code=framework_code,
                issuer=issuer,
                source_url=source_url,
                level=level,
                user=user,
                now=now,
                progress=progress,
            )
    report = ImportReport(file_name=file_name, dry_run=dry_run, sha256=_sha256(source))

    # Options first: a bad option is the whole file's problem, not every row's.
    if level not in EvaluationLevel.values:
        return _file_error(report, m.LEVEL_INVALID, value=level)
    framework = None
    if framework_code:
        framework = Framework.objects.filter(code=framework_code.strip()).first()
        if framework is None:
            return _file_error(report, m.FRAMEWORK_UNKNOWN, value=framework_code)
    table = None
    option_province = None
    if province:
        table = province_lookup_table()
        found = table.get(province_key(province))
        if found is None:
            return _file_error(report, m.OPTION_PROVINCE_UNKNOWN, value=nfc(province))
        option_province = found[0]

    try:
        sheet = sheet_open(source, file_name=file_name)
    except FileUnreadable as exc:
        return _unreadable(report, exc)
    try:
        options = _options_merge(
            report=report,
            title=_title_merge(sheet.titles),
            number=nfc(decision_number),
            date=decision_date,
            issuer=nfc(issuer),
            province=option_province,
            framework=framework,
            source_url=source_url.strip(),
            level=level,
            table=table,
        )
        header = sheet.header
        for name, english in (("producer", "Chủ thể / Producer"), ("score", "Điểm / Score")):
            if name not in header.columns:
                _file_error(report, m.COLUMN_MISSING, row=header.row, column=english)
        if report.errors:
            return report
        for name, flag in (("number", "decision_number"), ("date", "decision_date")):
            present = flag in header.columns or "decision" in header.columns
            if not present and not getattr(options, name):
                message = m.DECISION_NUMBER_MISSING if name == "number" else m.DECISION_DATE_MISSING
                label = (
                    "Số quyết định / Decision no."
                    if name == "number"
                    else ("Ngày quyết định / Decision date")
                )
                _file_error(report, message, row=header.row, column=label)
        if report.errors:
            return report

        validator = Validator(header=header, options=options, report=report)
        for number, values in sheet.rows:
            report.rows_read += 1
            validator.row(number, [cell_text(v) for v in values])
            if progress is not None and report.rows_read % PROGRESS_EVERY == 0:
                progress(report.rows_read, len(report.errors), "reading", 0, 0)
    except FileUnreadable as exc:
        return _unreadable(report, exc)
    finally:
        sheet.close()
    valid = len(validator.rows)
    if progress is not None:
        phase = "writing" if report.ok else "reading"
        progress(report.rows_read, len(report.errors), phase, 0, valid if report.ok else 0)
    if report.errors:
        return report

    def write_progress(written: int, to_write: int, indexing: bool) -> None:
        phase = "indexing" if indexing else "writing"
        progress(report.rows_read, 0, phase, written, to_write)

    plans = {key: plan for key, plan in validator.decisions.items() if plan is not None}
    # The write needs the rows, not the duplicate-row keys and the shared-string table: a few
    # hundred bytes a row.
    validator.seen.clear()
    validator.shared.clear()
    try:
        with transaction.atomic():
            decisions = rows_write(
                rows=validator.rows_take(),
                plans=plans,
                options=options,
                report=report,
                now=now,
                progress=write_progress if progress is not None else None,
            )
            wrote = any(
                getattr(report, name)
                for name in ("decisions_created", "certificates_created", "superseded")
            )
            if dry_run:
                transaction.set_rollback(True)
            elif wrote:
                # A re-import that changed nothing leaves no trace either (its report says so).
                record = RegistryImport.objects.create(
                    file_name=file_name[:255],
                    sha256=report.sha256,
                    rows_read=report.rows_read,
                    certificates_created=report.certificates_created,
                    unchanged=report.unchanged,
                    report=report.to_dict(),
                    created_by=user if user is not None and user.is_authenticated else None,
                )
                record.decisions.set(decisions)
                report.applied = True
    except Abort:
        _counts_reset(report)
    return report


def _counts_reset(report: ImportReport) -> None:
    """After a rollback the counts describe nothing that happened."""
    for name in (
        "decisions_created",
        "decisions_matched",
        "businesses_created",
        "businesses_matched",
        "products_created",
        "products_matched",
        "evaluations_created",
        "certificates_created",
        "unchanged",
        "superseded",
    ):
        setattr(report, name, 0)


def _unreadable(report: ImportReport, exc: FileUnreadable) -> ImportReport:
    if exc.kind == "not_utf8":
        return _file_error(report, m.FILE_NOT_UTF8, row=exc.row)
    if exc.kind == "too_large":
        return _file_error(report, m.FILE_TOO_LARGE, limit=XLSX_MAX_UNPACKED_MB)
    if exc.kind == "no_header":
        return _file_error(report, m.HEADER_NOT_FOUND, rows=HEADER_SCAN_ROWS)
    return _file_error(report, m.FILE_UNREADABLE, detail=exc.detail or exc.kind)


def _title_merge(titles: list[TitleDecision]) -> TitleDecision:
    """Several title lines may each say part of it (number on one, issuer on the next)."""
    merged = TitleDecision()
    for title in titles:
        merged.number = merged.number or title.number
        if merged.date is None and not merged.date_invalid:
            merged.date, merged.date_text = title.date, title.date_text
            merged.date_invalid, merged.row = title.date_invalid, title.row
        merged.issuer = merged.issuer or title.issuer
        merged.province_name = merged.province_name or title.province_name
    return merged


def _options_merge(
    *,
    report: ImportReport,
    title: TitleDecision,
    number: str,
    date: datetime.date | None,
    issuer: str,
    province: Province | None,
    framework: Framework | None,
    source_url: str,
    level: str,
    table,
) -> Options:
    """Options override what the title lines say, field by field."""
    if date is None and title.date_invalid:
        vi, en = m.DATE_IMPOSSIBLE.render(row=title.row, column=TITLE_COLUMN, value=title.date_text)
        report.errors.append(
            RowError(row=title.row, column=TITLE_COLUMN, message_vi=vi, message_en=en)
        )
    if province is None and title.province_name:
        table = table if table is not None else province_lookup_table()
        found = table.get(province_key(title.province_name))
        province = found[0] if found else None
    return Options(
        number=number or title.number,
        date=date or title.date,
        date_text=title.date_text,
        date_row=title.row,
        issuer=(issuer or title.issuer)[:255],
        province=province,
        framework=framework,
        source_url=source_url,
        level=level,
    )


def registry_import_start(
    *,
    upload,
    file_name: str,
    user,
    dry_run: bool = False,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    province: str = "",
    framework_code: str = "",
    issuer: str = "",
    source_url: str = "",
    level: str = EvaluationLevel.PROVINCE,
) -> Job:
    """Keep the uploaded list with a new job and import it in the background
    (``registry_import_job_run``, once this transaction commits). Same options as
    ``registry_import``."""
    with job_files_atomic():
        # In one transaction: the task is published on commit, when the file is already there;
        # a rollback deletes the file again.
        job = job_start(
            task=IMPORT_TASK,
            user=user,
            arguments={
                "dry_run": dry_run,
                "decision_number": decision_number,
                "decision_date": decision_date.isoformat() if decision_date else "",
                "province": province,
                "framework_code": framework_code,
                "issuer": issuer,
                "source_url": source_url,
                "level": level,
            },
        )
        job_file_store(job=job, name=file_name, content=upload)
    return job


def registry_import_job_run(*, job_id: int) -> dict:
    """The background import: validate and write the job's file (all or nothing), reporting
    progress as it reads and writes; the result (the report, first ``ERRORS_KEPT`` errors)
    and "done" are recorded in the import's own transaction, so a second delivery finds the
    job done."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    stored = job_file_get(job=job)
    if stored is None:
        raise FileNotFoundError(f"job {job_id}: the uploaded file is gone")
    options = job.arguments

    def progress(rows: int, errors: int, phase: str, written: int, to_write: int) -> None:
        job_progress(
            job_id=job_id,
            done=rows,
            errors=errors,
            phase=phase,
            written=written,
            to_write=to_write,
        )

    with stored.file.open("rb") as stream, transaction.atomic():
        report = registry_import(
            source=stream,
            file_name=stored.name,
            dry_run=options.get("dry_run", False),
            decision_number=options.get("decision_number", ""),
            decision_date=(
                datetime.date.fromisoformat(options["decision_date"])
                if options.get("decision_date")
                else None
            ),
            province=options.get("province", ""),
            framework_code=options.get("framework_code", ""),
            issuer=options.get("issuer", ""),
            source_url=options.get("source_url", ""),
            level=options.get("level", EvaluationLevel.PROVINCE),
            user=job.created_by,
            progress=progress,
        )
        result = report.to_dict(errors_kept=ERRORS_KEPT)
        job_finish(job_id=job_id, result=result)
    return result
