"""Entries as tables for people: one CSV per kind of entry, opened in a spreadsheet.

French spreadsheets expect `;` between columns, a decimal comma and a UTF-8 byte-order mark
(without it, accents come out garbled), so that is what these files use. Times are shown in
ward time as dd/mm/yyyy HH:MM; the lossless form stays `entries.jsonl`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from continuity.core.clock import format_local, from_iso
from continuity.core.i18n import _

BOM = "\ufeff"


def local_time(utc_iso: str | None) -> str:
    return format_local(from_iso(utc_iso)) if utc_iso else ""


def cell(value: Any) -> str:
    """A value as a French spreadsheet reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    return str(value)


def new_csv() -> tuple[io.StringIO, Any]:
    buffer = io.StringIO()
    buffer.write(BOM)
    return buffer, csv.writer(buffer, delimiter=";", lineterminator="\r\n")


def common_headers() -> list[str]:
    return [
        _("entry id"),
        _("sequence"),
        _("laptop"),
        _("author"),
        _("clinical time"),
        _("recorded time"),
        _("patient id"),
        _("IPP"),
        _("patient"),
        _("order id"),
        _("corrects entry"),
        _("reason for the correction"),
        _("witness"),
    ]


class PayloadFields:
    """The payload fields seen per kind, in the order first seen (a first pass collects them,
    so that the tables can then be written row by row)."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[str, None]] = {}

    def add(self, row: dict[str, Any]) -> None:
        keys = self.fields.setdefault(row["kind"], {})
        for key in row["payload"]:
            if key not in keys:
                keys[key] = None

    def of(self, kind: str) -> list[str]:
        return list(self.fields.get(kind, {}))


class KindTables:
    """One CSV per kind, written row by row: the common columns, then the payload's fields."""

    def __init__(
        self,
        fields: PayloadFields,
        device_names: dict[str, str],
        patients: dict[str, dict[str, Any]],
    ) -> None:
        self.fields = fields
        self.device_names = device_names
        self.patients = patients
        self.tables: dict[str, tuple[io.StringIO, Any]] = {}

    def add(self, row: dict[str, Any]) -> None:
        kind = row["kind"]
        keys = self.fields.of(kind)
        table = self.tables.get(kind)
        if table is None:
            table = self.tables[kind] = new_csv()
            table[1].writerow(common_headers() + keys)
        payload = row["payload"]
        table[1].writerow(self._common(row) + [cell(payload.get(k)) for k in keys])

    def _common(self, row: dict[str, Any]) -> list[str]:
        patient = self.patients.get(row.get("patient_id") or "") or {}
        name = " ".join(
            x for x in ((patient.get("family") or "").upper(), patient.get("given") or "") if x
        )
        values = [
            row["uuid"],
            row["seq"],
            self.device_names.get(row["device_id"], row["device_id"]),
            row["author"],
            local_time(row["clinical_time"]),
            local_time(row["recorded_time"]),
            row.get("patient_id"),
            patient.get("ipp"),
            name,
            row.get("order_id"),
            row.get("supersedes"),
            row.get("reason"),
            row.get("witness"),
        ]
        return [cell(v) for v in values]

    def kinds(self) -> list[str]:
        return sorted(self.tables)

    def csv_text(self, kind: str) -> str:
        return self.tables[kind][0].getvalue()


def write_rows(headers: list[str], rows: Iterable[list[Any]]) -> str:
    buffer, writer = new_csv()
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue()
