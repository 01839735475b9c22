"""Roles and what each may do: the single source of truth for permissions.

Checked by the core functions themselves (`Session.require`), so a nurse calling the export
function from a script is refused exactly as she would be in the app.
"""

from __future__ import annotations

from enum import StrEnum

from continuity.core.i18n import _


class Role(StrEnum):
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    IT = "it"
    #: The recovery key's emergency ("break-glass") account: may only set up named users.
    BREAK_GLASS = "break_glass"
    #: The unattended refresh slot: may import snapshots and nothing else.
    REFRESH = "refresh"


class Permission(StrEnum):
    VIEW_PATIENTS = "view_patients"
    RECORD_CARE = "record_care"
    CORRECT_ANY_ENTRY = "correct_any_entry"
    PRINT_WARD_SHEETS = "print_ward_sheets"  # MAR, census, schedules, forms, labels
    PRINT_PHARMACY_SHEETS = "print_pharmacy_sheets"  # prescription sheets, pick lists
    IMPORT_SNAPSHOT = "import_snapshot"
    OVERRIDE_SIGNATURE = "override_signature"
    MANAGE_USERS = "manage_users"
    EXPORT_ENTRIES = "export_entries"
    VERIFY_AUDIT = "verify_audit"
    MANAGE_DEVICE = "manage_device"  # settings, key rotation, backups, drills


_WARD = {
    Permission.VIEW_PATIENTS,
    Permission.RECORD_CARE,
    Permission.PRINT_WARD_SHEETS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: frozenset(_WARD),
    Role.PHARMACIST: frozenset(_WARD | {Permission.PRINT_PHARMACY_SHEETS}),
    Role.IT: frozenset(Permission),
    Role.BREAK_GLASS: frozenset({Permission.MANAGE_USERS, Permission.VERIFY_AUDIT}),
    Role.REFRESH: frozenset({Permission.IMPORT_SNAPSHOT}),
}

#: Roles a person can be given; the two others are kinds of key slot, not people.
STAFF_ROLES = (Role.NURSE, Role.PHARMACIST, Role.IT)


def can(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def role_label(role: Role) -> str:
    return {
        Role.NURSE: _("nurse"),
        Role.PHARMACIST: _("pharmacist"),
        Role.IT: _("IT"),
        Role.BREAK_GLASS: _("emergency access"),
        Role.REFRESH: _("unattended refresh"),
    }[role]


def parse_role(text: str) -> Role:
    from continuity.core.errors import BadInput

    try:
        role = Role(text.strip().lower())
    except ValueError:
        role = None
    if role not in STAFF_ROLES:
        raise BadInput(_("Unknown role: choose nurse, pharmacist or it."))
    return role
