"""The .ccx export package: a small clear header, then one encrypted, authenticated body.

On disk (all integers big-endian):

    MAGIC  b"CONTINUITY-CCX\\n"          what the file is, for `file`/`head` and for us
    u32    length of the header
    header JSON (UTF-8): format name and version, package id, device id and name, created
           time, sequence range, entry counts per kind, drill flag, scrypt parameters and
           salt, body length, key check. No patient data: IT can see what a file is (which
           laptop, how many entries, from when) without the passphrase.
    32     SHA-256 of everything above (tells accidental damage from a wrong passphrase)
    12     AES-GCM nonce
    body   AES-256-GCM ciphertext and tag of the inner zip (`package_contents`)

The key is derived with scrypt from the export passphrase (at least 12 characters, typed twice
by the IT user); 64 bytes come out: the AES key and a key-check key, whose HMAC in the header
lets a wrong passphrase be told apart from an altered file. The associated data of the AEAD is
every byte before the body, so any change to any byte, header included, makes the package
unreadable with a "damaged or altered" message, and nothing of it is used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from continuity.core.errors import BadInput
from continuity.core.i18n import _

FORMAT = "continuity-export"
FORMAT_VERSION = 1
MAGIC = b"CONTINUITY-CCX\n"
SUFFIX = ".ccx"
MIN_PASSPHRASE = 12
#: scrypt cost for export passphrases: N=2**16, r=8 (64 MiB, about 0.2 s). An export travels on
#: a USB stick, so it costs more than a log-in; still a merge of 20 laptops opens in seconds.
DEFAULT_SCRYPT = {"n": 2**16, "r": 8, "p": 1}
#: A header asking for more than this is refused (a forged header must not exhaust memory).
_MAX_SCRYPT = {"n": 2**20, "r": 16, "p": 4}
#: A header asking for an n below this is refused too (no build wrote a cheaper one).
_MIN_SCRYPT_N = 2**14
_MAX_HEADER = 64 * 1024
_NONCE = 12
_DIGEST = 32
_CHECK_LABEL = b"continuity-export key check"


class PackageError(BadInput):
    """A package that cannot be used: damaged, wrong passphrase, other version, drill..."""


@dataclass(frozen=True)
class Header:
    package_id: str
    device_id: str
    device_name: str
    created_at: str
    seq_first: int | None
    seq_last: int | None
    entry_count: int
    counts: dict[str, int]
    drill: bool
    kdf: dict[str, Any] = field(default_factory=dict)
    body_bytes: int = 0
    key_check: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        data = {
            "format": self.format,
            "format_version": self.format_version,
            "package_id": self.package_id,
            "device_id": self.device_id,
            "device_name": self.device_name,
            "created_at": self.created_at,
            "seq_first": self.seq_first,
            "seq_last": self.seq_last,
            "entry_count": self.entry_count,
            "counts": self.counts,
            "drill": self.drill,
            "cipher": "AES-256-GCM",
            "kdf": self.kdf,
            "body_bytes": self.body_bytes,
            "key_check": self.key_check,
        }
        return json.dumps(data, ensure_ascii=True, indent=1).encode("ascii")

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Header:
        return cls(
            package_id=str(raw["package_id"]),
            device_id=str(raw["device_id"]),
            device_name=str(raw.get("device_name", "")),
            created_at=str(raw["created_at"]),
            seq_first=_int_or_none(raw.get("seq_first")),
            seq_last=_int_or_none(raw.get("seq_last")),
            entry_count=int(raw["entry_count"]),
            counts={str(k): int(v) for k, v in dict(raw.get("counts") or {}).items()},
            drill=bool(raw.get("drill", False)),
            kdf=dict(raw["kdf"]),
            body_bytes=int(raw["body_bytes"]),
            key_check=str(raw["key_check"]),
            format=str(raw["format"]),
            format_version=int(raw["format_version"]),
        )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class OpenedPackage:
    """A package whose body was authenticated and decrypted (the inner zip, in memory)."""

    path: Path
    header: Header
    payload: bytes
    file_sha256: str


def check_passphrase(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise BadInput(
            _("The export passphrase must have at least {n} characters.").format(n=MIN_PASSPHRASE)
        )


def new_package_id() -> str:
    return str(uuid.uuid4())


def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> tuple[bytes, bytes]:
    kdf = Scrypt(salt=salt, length=64, n=params["n"], r=params["r"], p=params["p"])
    key = kdf.derive(passphrase.encode("utf-8"))
    return key[:32], key[32:]


def _plausible_scrypt(params: dict[str, int]) -> bool:
    """Whether a header's scrypt parameters are ones we could have written: scrypt itself
    rejects some (n not a power of two, p = 0) with an unexplained error, and a forged header
    must be refused as damaged, not crash the merge. The floor is also never above the
    current default, so what this build seals always opens (tests seal with a cheaper one)."""
    n, r, p = params["n"], params["r"], params["p"]
    floor = min(_MIN_SCRYPT_N, DEFAULT_SCRYPT["n"])
    return (
        floor <= n <= _MAX_SCRYPT["n"]
        and n & (n - 1) == 0
        and 1 <= r <= _MAX_SCRYPT["r"]
        and 1 <= p <= _MAX_SCRYPT["p"]
    )


def _key_check(check_key: bytes, package_id: str) -> str:
    return hmac.new(check_key, _CHECK_LABEL + package_id.encode(), hashlib.sha256).hexdigest()[:32]


def seal(header: Header, payload: bytes, passphrase: str, *, scrypt: dict | None = None) -> bytes:
    """The whole package file: header (kdf, key check and body length filled in) and body."""
    check_passphrase(passphrase)
    params = dict(scrypt or DEFAULT_SCRYPT)
    salt = os.urandom(16)
    key, check_key = _derive(passphrase, salt, params)
    kdf = {"name": "scrypt", "salt": salt.hex(), **params}
    body_bytes = len(payload) + 16  # the GCM tag
    full = Header(
        **{
            **header.__dict__,
            "kdf": kdf,
            "body_bytes": body_bytes,
            "key_check": _key_check(check_key, header.package_id),
        }
    )
    head_json = full.to_json()
    head = MAGIC + struct.pack(">I", len(head_json)) + head_json
    head += hashlib.sha256(head).digest()
    nonce = os.urandom(_NONCE)
    aad = head + nonce
    return aad + AESGCM(key).encrypt(nonce, payload, aad)


# -- reading ---------------------------------------------------------------------------------
def _damaged(name: str) -> PackageError:
    return PackageError(
        _("{file}: this package is damaged or altered; it cannot be used.").format(file=name)
    )


def parse_header(data: bytes, name: str) -> tuple[Header, int]:
    """The clear header and where the body starts; refuses anything that is not a package."""
    if not data.startswith(MAGIC):
        raise PackageError(
            _(
                "{file} is not a Continuity export package (.ccx), or it is damaged or altered."
            ).format(file=name)
        )
    start = len(MAGIC) + 4
    if len(data) < start:
        raise _damaged(name)
    (length,) = struct.unpack(">I", data[len(MAGIC) : start])
    if length > _MAX_HEADER or len(data) < start + length + _DIGEST + _NONCE:
        raise _damaged(name)
    try:
        raw = json.loads(data[start : start + length].decode("ascii"))
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not our header")
        version = int(raw.get("format_version", -1))
    except (ValueError, UnicodeDecodeError):
        raise _damaged(name) from None
    if version != FORMAT_VERSION:
        raise PackageError(
            _(
                "{file} was written in export format version {found}; this version of "
                "Continuity reads version {known}. Use the same version on both sides."
            ).format(file=name, found=version, known=FORMAT_VERSION)
        )
    end = start + length
    if hashlib.sha256(data[:end]).digest() != data[end : end + _DIGEST]:
        raise _damaged(name)
    try:
        header = Header.from_json(raw)
    except (KeyError, TypeError, ValueError):
        raise _damaged(name) from None
    return header, end + _DIGEST


def read_header(path: Path) -> Header:
    """Only the clear header (what IT can see without the passphrase)."""
    with open(path, "rb") as stream:
        data = stream.read(len(MAGIC) + 4 + _MAX_HEADER + _DIGEST + _NONCE)
    return parse_header(data, path.name)[0]


def open_package(path: Path, passphrase: str) -> OpenedPackage:
    """Authenticate and decrypt a package; PackageError with one sentence otherwise."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError:
        raise PackageError(_("{file} cannot be read.").format(file=name)) from None
    header, body_at = parse_header(data, name)
    kdf = header.kdf
    try:
        params = {k: int(kdf[k]) for k in ("n", "r", "p")}
        salt = bytes.fromhex(kdf["salt"])
    except (KeyError, TypeError, ValueError):
        raise _damaged(name) from None
    if kdf.get("name") != "scrypt" or not _plausible_scrypt(params):
        raise _damaged(name)
    nonce = data[body_at : body_at + _NONCE]
    body = data[body_at + _NONCE :]
    if len(body) != header.body_bytes:
        raise PackageError(
            _(
                "{file} is incomplete ({got} of {expected} bytes): it was truncated while "
                "copying. Copy it again."
            ).format(file=name, got=len(body), expected=header.body_bytes)
        )
    key, check_key = _derive(passphrase, salt, params)
    if not hmac.compare_digest(_key_check(check_key, header.package_id), header.key_check):
        raise PackageError(_("{file}: wrong passphrase.").format(file=name))
    try:
        payload = AESGCM(key).decrypt(nonce, body, data[: body_at + _NONCE])
    except InvalidTag:
        raise _damaged(name) from None
    return OpenedPackage(path, header, payload, hashlib.sha256(data).hexdigest())
