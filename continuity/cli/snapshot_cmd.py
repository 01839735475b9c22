"""Snapshot commands: import, status, signing keys and packages, trust, unattended refresh.

continuity import PATH --db DB --user LOGIN [--as-of ISO] [--accept-partial]
                                             [--allow-unsigned] [--allow-older]
continuity status --db DB --user LOGIN [--json]
continuity snapshot keygen --out-private F --out-public F
continuity snapshot sign FOLDER_OR_ZIP --key F --out PKG
continuity snapshot verify PKG --public-key F
continuity trust set-key F --db DB --user LOGIN
continuity refresh enable|disable --db DB --user LOGIN
continuity refresh --watch FOLDER --db DB          (one pass, for a scheduler)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from continuity.cli.common import Secrets, add_db_arguments, db_path, open_session, secrets_for
from continuity.core.clock import SystemClock, format_age, format_local
from continuity.core.errors import BadInput
from continuity.core.freshness import freshness_label
from continuity.core.i18n import _
from continuity.core.passwords import check_password_policy
from continuity.fhir.errors import SnapshotRejected
from continuity.fhir.report import ImportReport
from continuity.store.files import write_atomically

#: Rejections printed by `import` before "and N more".
SHOWN_REJECTIONS = 50


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help=_("import a FHIR snapshot into the cache (IT)"))
    add_db_arguments(imp)
    imp.add_argument(
        "path", type=Path, help=_("a Bulk Data export folder, a zip of one, or a Bundle JSON file")
    )
    imp.add_argument(
        "--as-of",
        help=_(
            "when the data was taken, if the snapshot does not say "
            "(ISO 8601, e.g. 2024-08-06T18:12:57Z)"
        ),
    )
    imp.add_argument(
        "--accept-partial",
        action="store_true",
        help=_("import even if some resources are rejected (they are listed)"),
    )
    imp.add_argument(
        "--allow-unsigned",
        action="store_true",
        help=_("IT: import a snapshot not signed by the trusted key (logged)"),
    )
    imp.add_argument(
        "--allow-older",
        action="store_true",
        help=_("IT: import data older than the snapshot in force (logged)"),
    )
    imp.set_defaults(handler=run_import)

    st = sub.add_parser("status", help=_("data as of, age, contents of the cache"))
    add_db_arguments(st)
    st.add_argument("--json", action="store_true", help=_("machine-readable output"))
    st.set_defaults(handler=run_status)

    snap = sub.add_parser("snapshot", help=_("signing keys and signed snapshot packages"))
    verbs = snap.add_subparsers(dest="verb", metavar="VERB", required=True)
    keygen = verbs.add_parser("keygen", help=_("create a signing key pair (central IT)"))
    keygen.add_argument(
        "--out-private",
        type=Path,
        required=True,
        help=_("private key file to write (encrypted with a passphrase)"),
    )
    keygen.add_argument(
        "--out-public",
        type=Path,
        required=True,
        help=_("public key file to write (for the laptops)"),
    )
    keygen.add_argument(
        "--password-stdin", action="store_true", help=_("read the passphrase from standard input")
    )
    keygen.set_defaults(handler=run_keygen)
    sign = verbs.add_parser("sign", help=_("make a signed package of a snapshot (central IT)"))
    sign.add_argument("source", type=Path, help=_("Bulk export folder, zip, or Bundle file"))
    sign.add_argument("--key", type=Path, required=True, help=_("the private key file"))
    sign.add_argument("--out", type=Path, required=True, help=_("the package file to write"))
    sign.add_argument(
        "--password-stdin", action="store_true", help=_("read the passphrase from standard input")
    )
    sign.set_defaults(handler=run_sign)
    verify = verbs.add_parser("verify", help=_("check a package's signature and contents"))
    verify.add_argument("package", type=Path)
    verify.add_argument("--public-key", type=Path, required=True, help=_("the public key file"))
    verify.set_defaults(handler=run_verify)

    trust = sub.add_parser("trust", help=_("the key this laptop trusts for snapshots (IT)"))
    tverbs = trust.add_subparsers(dest="verb", metavar="VERB", required=True)
    setkey = tverbs.add_parser("set-key", help=_("trust this public key for snapshots"))
    add_db_arguments(setkey)
    setkey.add_argument("key_file", type=Path)
    setkey.set_defaults(handler=run_trust_set_key)

    refresh = sub.add_parser(
        "refresh", help=_("unattended refresh: enable it (IT), or run one pass over a folder")
    )
    add_db_arguments(refresh)
    refresh.add_argument(
        "action",
        nargs="?",
        choices=("enable", "disable"),
        help=_("IT: create or remove the refresh key slot"),
    )
    refresh.add_argument("--watch", type=Path, help=_("folder where signed packages are dropped"))
    refresh.set_defaults(handler=run_refresh)


# --------------------------------------------------------------------------- import, status


def _print_report(report: ImportReport, out=None) -> None:
    out = out or sys.stdout
    header = (_("Type"), _("read"), _("imported"), _("rejected"), _("skipped"))
    print(f"{header[0]:<20} {header[1]:>8} {header[2]:>9} {header[3]:>9} {header[4]:>8}", file=out)
    for kind, c in sorted(report.counts.items()):
        print(f"{kind:<20} {c.read:>8} {c.imported:>9} {c.rejected:>9} {c.skipped:>8}", file=out)
    for note in report.notes:
        print(_("Note: {note}").format(note=note), file=out)


def _print_rejections(report: ImportReport) -> None:
    for rejection in report.rejections[:SHOWN_REJECTIONS]:
        print("  " + rejection.describe(), file=sys.stderr)
    more = len(report.rejections) - SHOWN_REJECTIONS
    if more > 0:
        print(_("  ... and {count} more.").format(count=more), file=sys.stderr)


def run_import(args: argparse.Namespace) -> int:
    from continuity.fhir.importer import import_snapshot
    from continuity.store.connection import use_memory_security

    use_memory_security(False)  # a short-lived bulk process: see store/connection.py

    with open_session(args, secrets_for(args)) as session:
        try:
            report = import_snapshot(
                session,
                args.path,
                as_of=args.as_of,
                accept_partial=args.accept_partial,
                allow_unsigned=args.allow_unsigned,
                allow_older=args.allow_older,
            )
        except SnapshotRejected as exc:
            _print_report(exc.report, sys.stderr)
            _print_rejections(exc.report)
            raise
    assert report.as_of is not None
    print(
        _("Snapshot imported: data as of {as_of} ({origin}), signature: {signature}.").format(
            as_of=format_local(report.as_of), origin=report.as_of_origin, signature=report.signature
        )
    )
    _print_report(report)
    if report.rejections:
        print(
            _("PARTIAL snapshot: {count} resource(s) were left out:").format(
                count=len(report.rejections)
            ),
            file=sys.stderr,
        )
        _print_rejections(report)
    return 0


def _signature_label(state: str | None) -> str:
    """The stored signature state (a code) in the user's words."""
    return {
        "verified": _("verified"),
        "unsigned-override": _("UNSIGNED, accepted by IT override"),
        "not-required": _("not required on this laptop"),
    }.get(state or "", state or "—")


def _origin_label(origin: str | None) -> str:
    """Where "data as of" came from (a code) in the user's words."""
    return {
        "manifest": _("from the export manifest"),
        "bundle": _("from the Bundle's own date"),
        "lastUpdated": _("newest lastUpdated of the resources"),
        "stated": _("stated with --as-of"),
    }.get(origin or "", origin or "—")


def run_status(args: argparse.Namespace) -> int:
    from continuity.store.snapshot_status import snapshot_status

    with open_session(args, secrets_for(args)) as session:
        status = snapshot_status(session)
    if args.json:
        print(json.dumps(status.as_dict(), ensure_ascii=False, indent=1))
        return 0
    if not status.loaded:
        print(_("No snapshot has been imported into this cache yet."))
    else:
        assert status.as_of and status.age is not None and status.freshness
        print(
            _("Data as of {as_of} ({origin}): {age} old, {level}.").format(
                as_of=format_local(status.as_of),
                origin=_origin_label(status.as_of_origin),
                age=format_age(status.age),
                level=freshness_label(status.freshness),
            )
        )
        print(_("Source: {source}").format(source=status.source))
        print(
            _("Imported {at} by {user}; signature: {signature}.").format(
                at=format_local(status.imported_at),
                user=status.imported_by,
                signature=_signature_label(status.signature),
            )
        )
    labels = {
        "patients": _("patients"),
        "inpatients": _("patients with a bed"),
        "patients_absent": _("patients absent from the latest snapshot (kept for entries)"),
        "orders": _("prescriptions"),
        "active_orders": _("active prescriptions"),
        "high_alert_orders": _("active high-alert prescriptions"),
        "orders_absent": _("prescriptions absent from the latest snapshot (kept for entries)"),
        "allergies": _("active allergies"),
        "operating": _("operating-room list entries"),
        "appointments": _("appointments"),
        "observations": _("latest vital signs"),
        "practitioners": _("practitioners"),
        "locations": _("places"),
    }
    for key, label in labels.items():
        print("  " + _("{label}: {count}").format(label=label, count=status.counts.get(key, 0)))
    print(_("Manual entries not yet exported: {count}").format(count=status.unexported_entries))
    return 0


# --------------------------------------------------------------------------- keys, packages


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise BadInput(_("Cannot read the file {path}.").format(path=path)) from None


def run_keygen(args: argparse.Namespace) -> int:
    from continuity.fhir.signing import fingerprint, generate_key_pair, load_public_key

    for path in (args.out_private, args.out_public):
        if path.exists():
            raise BadInput(_("{path} already exists; nothing was written.").format(path=path))
    secrets = Secrets(args.password_stdin)
    passphrase = secrets.new_secret(_("New passphrase for the signing key: "), _("Again: "))
    check_password_policy(passphrase)
    private_pem, public_pem = generate_key_pair(passphrase)
    write_atomically(args.out_private, private_pem)
    write_atomically(args.out_public, public_pem)
    print(
        _("Signing key created. Keep {private} offline; give {public} to the laptops.").format(
            private=args.out_private, public=args.out_public
        )
    )
    print(
        _("Fingerprint: {fingerprint}").format(fingerprint=fingerprint(load_public_key(public_pem)))
    )
    return 0


def run_sign(args: argparse.Namespace) -> int:
    from continuity.fhir.signing import load_private_key, sign_snapshot

    pem = _read_file(args.key)
    passphrase = Secrets(args.password_stdin).next(_("Passphrase of the signing key: "))
    key = load_private_key(pem, passphrase)
    info = sign_snapshot(args.source, key, args.out, now=SystemClock().now())
    print(
        _("Signed package written: {path} ({files} files, key {fingerprint}).").format(
            path=args.out, files=len(info.members), fingerprint=info.key_fingerprint
        )
    )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from continuity.fhir.signing import fingerprint, load_public_key, verify_package

    key = load_public_key(_read_file(args.public_key))
    info = verify_package(args.package, key)
    print(
        _("Signature valid: key {fingerprint}, signed {at}, {files} files intact.").format(
            fingerprint=fingerprint(key), at=info.created_at, files=len(info.members)
        )
    )
    return 0


def run_trust_set_key(args: argparse.Namespace) -> int:
    from continuity.fhir.signing import load_public_key, set_trusted_key

    key = load_public_key(_read_file(args.key_file))
    with open_session(args, secrets_for(args)) as session:
        print_ = set_trusted_key(session, key)
    print(
        _("This laptop now trusts snapshots signed by the key {fingerprint}.").format(
            fingerprint=print_
        )
    )
    return 0


# --------------------------------------------------------------------------- refresh


def run_refresh(args: argparse.Namespace) -> int:
    from continuity.store import refresh_login
    from continuity.store.connection import use_memory_security

    use_memory_security(False)  # a short-lived bulk process: see store/connection.py

    if args.action is not None:
        with open_session(args, secrets_for(args)) as session:
            if args.action == "enable":
                refresh_login.enable_refresh(session)
                print(
                    _(
                        "Unattended refresh enabled; its secret is in this computer's secret "
                        "store, for this OS account."
                    )
                )
            elif refresh_login.disable_refresh(session):
                print(_("Unattended refresh disabled."))
            else:
                print(_("Unattended refresh was not enabled."))
        return 0
    if args.watch is None:
        raise BadInput(_("Say which folder to watch with --watch, or use enable / disable."))
    from continuity.fhir.refresh import refresh_from_folder

    with refresh_login.login_for_refresh(db_path(args)) as session:
        result = refresh_from_folder(session, args.watch)
    for name, why in result.ignored:
        print(_("Ignored {name}: {why}.").format(name=name, why=why), file=sys.stderr)
    if result.outcome == "nothing":
        print(_("No signed package in {folder}; the cache is unchanged.").format(folder=args.watch))
    elif result.outcome == "up-to-date":
        print(
            _("The cache already holds {name} or newer; nothing to do.").format(
                name=result.package.name if result.package else "?"
            )
        )
    else:
        assert result.report is not None and result.report.as_of and result.package
        print(
            _("Imported {name}: data as of {as_of}.").format(
                name=result.package.name, as_of=format_local(result.report.as_of)
            )
        )
    return 0
