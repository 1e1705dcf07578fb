"""Importing provincial OCOP recognition lists (CSV / XLSX) into the registry."""

from catalog.importer.report import ImportReport, RowError
from catalog.importer.services import registry_import

__all__ = ["ImportReport", "RowError", "registry_import"]
