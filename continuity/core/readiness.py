"""The readiness self-check: is this laptop ready for tomorrow's outage?

Hospitals must show that their degraded mode works (France's CaRE programme asks for a tested
continuity plan; the SAFER guides ask for drills and monitoring). Readiness used to be checked
by hand on rounds; here the laptop checks itself. This module turns plain facts (gathered by
`continuity.store.readiness`) into items, each ok / warning / failure with what to do, so the
rules are one pure function that tests can feed any situation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from continuity.core.clock import format_age, format_local
from continuity.core.freshness import Freshness, Thresholds, freshness
from continuity.core.i18n import _, language


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILURE = "failure"


@dataclass(frozen=True)
class PrinterStatus:
    configured: bool
    name: str | None = None
    ready: bool = False  # a test page could be sent now (not in error, not offline)
    detail: str = ""


@dataclass(frozen=True)
class Facts:
    now: datetime
    snapshot_as_of: datetime | None
    thresholds: Thresholds
    users_with_slot: int
    it_users_with_slot: int
    recovery_slot: bool
    audit_ok: bool
    audit_broken_row: int | None
    integrity_problems: list[str]
    free_bytes: int
    printer: PrinterStatus | None
    latest_recorded: datetime | None  # newest time this laptop wrote (entry or audit)
    temp_ids_left: int
    temp_blocks: int  # blocks reserved so far (0: reserved at the first downtime admission)
    unexported_entries: int
    oldest_unexported: datetime | None
    #: Active users the key file has no slot for (after the master key was replaced): they
    #: exist, but cannot log in until IT gives them a password again.
    users_without_slot: int = 0


@dataclass(frozen=True)
class Item:
    key: str
    status: Status
    message: str
    action: str = ""


LOW_DISK = 1_000_000_000
CRITICAL_DISK = 200_000_000
FEW_TEMP_IDS = 10
CLOCK_FUTURE_LIMIT = timedelta(days=45)
CLOCK_TOLERANCE = timedelta(minutes=5)
EXPORT_WARNING_AGE = timedelta(hours=12)


def _snapshot(f: Facts) -> Item:
    if f.snapshot_as_of is None:
        return Item(
            "snapshot",
            Status.FAILURE,
            _("No snapshot has been imported."),
            _("Import a snapshot from the central system (IT menu or `continuity import`)."),
        )
    level, age = freshness(f.snapshot_as_of, f.now, f.thresholds)
    text = _("Data as of {when} ({age} old).").format(
        when=format_local(f.snapshot_as_of), age=format_age(age)
    )
    if level == Freshness.FRESH:
        return Item("snapshot", Status.OK, text)
    if level == Freshness.AGEING:
        return Item(
            "snapshot",
            Status.WARNING,
            text,
            _("Check that the scheduled refresh runs (folder, network share)."),
        )
    return Item(
        "snapshot",
        Status.FAILURE,
        text,
        _("Refresh the snapshot now: the printed sheets would be out of date."),
    )


def _users(f: Facts) -> Item:
    if f.it_users_with_slot == 0:
        return Item(
            "users",
            Status.FAILURE,
            _("No IT user can open this cache."),
            _("Use the recovery key to set up a named IT user."),
        )
    if f.users_without_slot:
        return Item(
            "users",
            Status.WARNING,
            _("{n} user(s) cannot log in on this laptop since its keys were replaced.").format(
                n=f.users_without_slot
            ),
            _("Give each of them a password again (users passwd)."),
        )
    if f.users_with_slot < 2:
        return Item(
            "users",
            Status.WARNING,
            _("{n} user(s) can open this cache.").format(n=f.users_with_slot),
            _("Add the ward's nurses before an outage, not during it."),
        )
    return Item("users", Status.OK, _("{n} users can open this cache.").format(n=f.users_with_slot))


def _recovery(f: Facts) -> Item:
    if f.recovery_slot:
        return Item("recovery", Status.OK, _("A recovery key exists."))
    return Item(
        "recovery",
        Status.FAILURE,
        _("There is no recovery key slot."),
        _("Restore one from a backup or provision the laptop again."),
    )


def _audit(f: Facts) -> Item:
    if f.audit_ok:
        return Item("audit", Status.OK, _("Audit log verified."))
    return Item(
        "audit",
        Status.FAILURE,
        _("The audit log is broken at row {row}.").format(row=f.audit_broken_row),
        _("Tell the security officer; keep the laptop as it is."),
    )


def _integrity(f: Facts) -> Item:
    if not f.integrity_problems:
        return Item("integrity", Status.OK, _("Encrypted file integrity checked."))
    return Item(
        "integrity",
        Status.FAILURE,
        _("The encrypted file fails its integrity check: {problem}.").format(
            problem=f.integrity_problems[0]
        ),
        _("Restore a backup or provision the laptop again."),
    )


def _disk(f: Facts) -> Item:
    gb = f"{f.free_bytes / 1e9:.1f}"
    text = _("{gb} GB free on disk.").format(gb=gb.replace(".", ",") if language() == "fr" else gb)
    if f.free_bytes < CRITICAL_DISK:
        return Item("disk", Status.FAILURE, text, _("Free disk space now: entries need room."))
    if f.free_bytes < LOW_DISK:
        return Item("disk", Status.WARNING, text, _("Free some disk space."))
    return Item("disk", Status.OK, text)


def _printer(f: Facts) -> Item:
    p = f.printer
    if p is None:
        return Item(
            "printer",
            Status.WARNING,
            _("The printer could not be checked here."),
            _("Run the check from the app to test the printer."),
        )
    if not p.configured:
        return Item(
            "printer",
            Status.FAILURE,
            _("No default printer is configured."),
            _("Install the ward printer and make it the default one."),
        )
    if not p.ready:
        return Item(
            "printer",
            Status.WARNING,
            _("The printer {name} is not ready ({detail}).").format(name=p.name, detail=p.detail),
            _("Check paper, toner and cable, then print a test page."),
        )
    return Item("printer", Status.OK, _("Default printer: {name}.").format(name=p.name))


def _clock(f: Facts) -> Item:
    if f.latest_recorded is not None and f.now < f.latest_recorded - CLOCK_TOLERANCE:
        return Item(
            "clock",
            Status.FAILURE,
            _("The laptop's clock ({now}) is behind what it already recorded ({last}).").format(
                now=format_local(f.now), last=format_local(f.latest_recorded)
            ),
            _("Set the date and time before recording care."),
        )
    if f.snapshot_as_of is not None and f.now < f.snapshot_as_of - CLOCK_TOLERANCE:
        return Item(
            "clock",
            Status.FAILURE,
            _("The laptop's clock ({now}) is before the snapshot's time ({as_of}).").format(
                now=format_local(f.now), as_of=format_local(f.snapshot_as_of)
            ),
            _("Set the date and time before recording care."),
        )
    reference = max((t for t in (f.latest_recorded, f.snapshot_as_of) if t), default=None)
    if reference is not None and f.now > reference + CLOCK_FUTURE_LIMIT:
        return Item(
            "clock",
            Status.WARNING,
            _("The laptop's clock ({now}) is far ahead of anything it recorded.").format(
                now=format_local(f.now)
            ),
            _("Check the date and time."),
        )
    return Item("clock", Status.OK, _("Clock plausible: {now}.").format(now=format_local(f.now)))


def _temp_ids(f: Facts) -> Item:
    if f.temp_blocks == 0:
        return Item(
            "temp_ids",
            Status.OK,
            _("Temporary patient ids are reserved at the first downtime admission."),
        )
    if f.temp_ids_left < FEW_TEMP_IDS:
        return Item(
            "temp_ids",
            Status.WARNING,
            _("{n} temporary patient ids left in this laptop's block.").format(n=f.temp_ids_left),
            _("They are reserved automatically at the next downtime admission."),
        )
    return Item(
        "temp_ids", Status.OK, _("{n} temporary patient ids reserved.").format(n=f.temp_ids_left)
    )


def _exports(f: Facts) -> Item:
    if f.unexported_entries == 0:
        return Item("exports", Status.OK, _("Every entry has been exported."))
    text = (
        _("1 entry not yet exported.")
        if f.unexported_entries == 1
        else _("{n} entries not yet exported.").format(n=f.unexported_entries)
    )
    if f.oldest_unexported is not None and f.now - f.oldest_unexported > EXPORT_WARNING_AGE:
        return Item(
            "exports",
            Status.WARNING,
            text,
            _("Export them (IT menu or `continuity export`) so reconciliation can start."),
        )
    return Item("exports", Status.OK, text)


CHECKS = (
    _snapshot,
    _users,
    _recovery,
    _audit,
    _integrity,
    _disk,
    _printer,
    _clock,
    _temp_ids,
    _exports,
)


def evaluate(facts: Facts) -> list[Item]:
    return [check(facts) for check in CHECKS]


def overall(items: list[Item]) -> Status:
    statuses = {i.status for i in items}
    if Status.FAILURE in statuses:
        return Status.FAILURE
    return Status.WARNING if Status.WARNING in statuses else Status.OK


def summary_line(items: list[Item]) -> str:
    """One line for the banner at start-up."""
    failures = sum(i.status == Status.FAILURE for i in items)
    warnings = sum(i.status == Status.WARNING for i in items)
    if not failures and not warnings:
        return _("Readiness: all checks passed.")
    return _("Readiness: {f} failure(s), {w} warning(s).").format(f=failures, w=warnings)
