"""Signed snapshot packages: a poisoned USB stick must not become the ward's prescriptions.

Central IT signs each snapshot with an Ed25519 key; a laptop holding the matching public key
(a cache setting, set by IT) refuses anything unsigned, signed by another key or altered since.

Package format (version 1), one zip file:

- `snapshot/...`: the snapshot itself, as exported (Bulk NDJSON files and manifest.json, or
  one Bundle JSON file);
- `continuity-package.json`: a manifest listing every `snapshot/` member with its SHA-256 and
  size, the signing time and the key's fingerprint;
- `continuity-package.sig`: the Ed25519 signature (base64) of the manifest's exact bytes,
  prefixed by a domain string so the signature cannot be replayed in another protocol.

The manifest is small, so the signature is checked before reading anything else; the members
are hashed while the import streams them, and any difference aborts the import before its
transaction commits. The package is signed, not encrypted: it travels on IT's own shares.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from continuity.core.clock import to_utc_iso
from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.core.roles import Permission
from continuity.fhir.errors import SignatureRefused, SnapshotFormatError
from continuity.store.files import fsync_dir

PACKAGE_FORMAT = "continuity-snapshot-package"
PACKAGE_VERSION = 1
MANIFEST_MEMBER = "continuity-package.json"
SIGNATURE_MEMBER = "continuity-package.sig"
PAYLOAD_PREFIX = "snapshot/"
_DOMAIN = b"continuity-snapshot-package/1\n"
_CHUNK = 1 << 20
#: Cache setting holding the trusted public key (base64 of the raw 32 bytes).
TRUSTED_KEY_SETTING = "snapshot.trusted_public_key"


# --------------------------------------------------------------------------- keys


def generate_key_pair(passphrase: str) -> tuple[bytes, bytes]:
    """(private PEM encrypted with the passphrase, public PEM) of a new signing key."""
    if not passphrase:
        raise BadInput(_("The signing key needs a passphrase."))
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    return private_pem, public_key_pem(private.public_key())


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(pem: bytes, passphrase: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise BadInput(
            _("The signing key cannot be opened: wrong passphrase, or not a key file.")
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput(_("This key is not an Ed25519 signing key."))
    return key


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """A public key from a PEM file, or from the base64 of its 32 raw bytes."""
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_public_key(data)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip(), validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise BadInput(_("This file does not hold a public key.")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput(_("This key is not an Ed25519 signing key."))
    return key


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """A short, readable fingerprint for comparing keys by eye or over the phone."""
    digest = hashlib.sha256(raw_public(key)).hexdigest()[:20].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


# --------------------------------------------------------------------------- packages


@dataclass(frozen=True)
class PackageInfo:
    """The signed manifest of a package, read but not yet trusted."""

    manifest_bytes: bytes
    signature: bytes
    created_at: str
    key_fingerprint: str
    members: dict[str, tuple[str, int]]  # member name -> (sha256 hex, size)

    @property
    def digest(self) -> str:
        """Identifies the package (same manifest = same package), e.g. to skip a re-import."""
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(self.signature, _DOMAIN + self.manifest_bytes)
            return True
        except InvalidSignature:
            return False

    def mismatches(self, digests: dict[str, str], present: set[str]) -> list[str]:
        """What differs between the zip as read and the signed list (empty: identical)."""
        problems = []
        for name, (sha, _size) in sorted(self.members.items()):
            if name not in present:
                problems.append(f"{name}: missing")
            elif digests.get(name) != sha:
                problems.append(f"{name}: altered after signing")
        for name in sorted(present - set(self.members)):
            problems.append(f"{name}: added after signing")
        return problems

    def describe(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "created_at": self.created_at,
            "key": self.key_fingerprint,
            "files": len(self.members),
        }


def payload_names(zf: zipfile.ZipFile) -> set[str]:
    """The names in a package that the signature must cover (everything but its own two)."""
    return {i.filename for i in zf.infolist() if not i.is_dir()} - {
        MANIFEST_MEMBER,
        SIGNATURE_MEMBER,
    }


def refuse_duplicate_names(zf: zipfile.ZipFile) -> None:
    """Refuse a zip that holds two members of the same name.

    Readers pick one of the two by name and hashes are checked by name, so a forged copy
    placed beside the signed one could be read while the signed one is hashed: no honest
    export or package ever has duplicates, so any is refused outright.
    """
    seen: set[str] = set()
    for name in zf.namelist():
        if name in seen:
            if MANIFEST_MEMBER in zf.namelist():
                raise SignatureRefused(
                    _("The package holds two files named {name}; it was tampered with.").format(
                        name=name
                    )
                )
            raise SnapshotFormatError(
                _("The zip holds two files named {name}; nothing was imported.").format(name=name)
            )
        seen.add(name)


def read_package(zf: zipfile.ZipFile) -> PackageInfo | None:
    """The package manifest of a zip, or None when the zip is not a signed package.

    Any zip with duplicate member names is refused here first (see `refuse_duplicate_names`).
    """
    refuse_duplicate_names(zf)
    names = set(zf.namelist())
    if MANIFEST_MEMBER not in names:
        return None
    if SIGNATURE_MEMBER not in names:
        raise SignatureRefused(_("The package has no signature file."))
    try:
        manifest_bytes = zf.read(MANIFEST_MEMBER)
        signature = base64.b64decode(zf.read(SIGNATURE_MEMBER).strip(), validate=True)
        manifest = json.loads(manifest_bytes)
        if manifest.get("format") != PACKAGE_FORMAT:
            raise ValueError("format")
        if manifest.get("version") != PACKAGE_VERSION:
            raise SnapshotFormatError(_("The package was made by a newer version of Continuity."))
        members = {m["name"]: (str(m["sha256"]), int(m["size"])) for m in manifest["members"]}
        return PackageInfo(
            manifest_bytes,
            signature,
            str(manifest["created_at"]),
            str(manifest.get("key", "")),
            members,
        )
    except SnapshotFormatError:
        raise
    except (ValueError, KeyError, TypeError, binascii.Error, zipfile.BadZipFile):
        raise SnapshotFormatError(_("The package's signed manifest is damaged.")) from None


def _hash_member(zf: zipfile.ZipFile, name: str) -> str:
    sha = hashlib.sha256()
    with zf.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def verify_package(path: Path, key: Ed25519PublicKey) -> PackageInfo:
    """Check a package completely (signature and every member); SignatureRefused if not."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = read_package(zf)
            if info is None:
                raise SignatureRefused(_("This file is not a signed snapshot package."))
            if not info.signed_by(key):
                raise SignatureRefused(
                    _("The package is not signed by the trusted key (signed by {key}).").format(
                        key=info.key_fingerprint or "?"
                    )
                )
            present = payload_names(zf)
            digests = {name: _hash_member(zf, name) for name in present}
    except (zipfile.BadZipFile, OSError):
        raise BadInput(_("This file cannot be read as a zip package.")) from None
    problems = info.mismatches(digests, present)
    if problems:
        raise SignatureRefused(
            _("The package was changed after it was signed: {problem}.").format(problem=problems[0])
        )
    return info


def _members_to_sign(source: Path, stack: contextlib.ExitStack) -> list[tuple[str, Any]]:
    """(name inside snapshot/, opener) of every file of a folder, zip or single file."""
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise BadInput(_("The folder holds no file to sign."))
        return [(p.name, p.open) for p in files]
    if zipfile.is_zipfile(source):
        zf = stack.enter_context(zipfile.ZipFile(source))
        if MANIFEST_MEMBER in zf.namelist():
            raise BadInput(_("This zip is already a signed package."))
        refuse_duplicate_names(zf)
        infos = [i for i in zf.infolist() if not i.is_dir()]
        prefix = _common_folder([i.filename for i in infos])
        return [(i.filename[len(prefix) :], lambda mode="rb", i=i: zf.open(i)) for i in infos]
    if source.is_file():
        return [(source.name, source.open)]
    raise BadInput(_("Nothing to sign at this place."))


def _common_folder(names: list[str]) -> str:
    """ "export/" when every name is inside that one folder (a zipped folder), else ""."""
    if not names:
        return ""
    first = names[0].split("/", 1)[0] + "/"
    return first if all(n.startswith(first) for n in names) and "/" in names[0] else ""


def sign_snapshot(source: Path, key: Ed25519PrivateKey, out: Path, *, now: datetime) -> PackageInfo:
    """Write a signed package of `source` (Bulk folder, zip of one, or Bundle file) to `out`."""
    if out.exists():
        raise BadInput(_("The output file already exists; choose another name."))
    listed: list[dict[str, Any]] = []
    tmp = out.with_name(out.name + ".tmp")
    try:
        with contextlib.ExitStack() as stack:
            members = _members_to_sign(source, stack)
            zf = stack.enter_context(zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED))
            for name, opener in members:
                sha, size = hashlib.sha256(), 0
                with opener("rb") as src, zf.open(PAYLOAD_PREFIX + name, "w") as dst:
                    while chunk := src.read(_CHUNK):
                        sha.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
                listed.append(
                    {"name": PAYLOAD_PREFIX + name, "sha256": sha.hexdigest(), "size": size}
                )
            manifest = {
                "format": PACKAGE_FORMAT,
                "version": PACKAGE_VERSION,
                "created_at": to_utc_iso(now),
                "key": fingerprint(key.public_key()),
                "members": listed,
            }
            manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
            signature = key.sign(_DOMAIN + manifest_bytes)
            zf.writestr(MANIFEST_MEMBER, manifest_bytes)
            zf.writestr(SIGNATURE_MEMBER, base64.b64encode(signature) + b"\n")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return PackageInfo(
        manifest_bytes,
        signature,
        manifest["created_at"],
        manifest["key"],
        {m["name"]: (m["sha256"], m["size"]) for m in listed},
    )


# --------------------------------------------------------------------------- trust


def trusted_key(session: Any) -> Ed25519PublicKey | None:
    """The public key this laptop trusts for snapshots, or None if IT set none."""
    text = session.setting(TRUSTED_KEY_SETTING)
    if not text:
        return None
    return load_public_key(text.encode("ascii"))


def set_trusted_key(session: Any, key: Ed25519PublicKey) -> str:
    """IT: trust this key for snapshots from now on (replacing any other); returns its
    fingerprint, which is logged so a swapped key can be traced."""
    session.require(Permission.MANAGE_DEVICE)
    value = base64.b64encode(raw_public(key)).decode("ascii")
    print_ = fingerprint(key)
    with session.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            (TRUSTED_KEY_SETTING, value),
        )
        session.audit("snapshot_key_trusted", {"fingerprint": print_})
    return print_
