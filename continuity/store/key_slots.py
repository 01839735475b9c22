"""Key slots: the random database key, wrapped once per person who may open the cache.

Nobody ever types the database key. Two levels, as in LUKS: each user's password derives
(scrypt) a key that unwraps (AES-256-GCM) their own copy of a random master key, and the master
key unwraps the database key. The associated data binds a slot to its kind, its login and the
device, so a slot copied under another name or onto another laptop does not open. A user is
revoked by deleting their slot; a password change rewraps that slot only; rotating the database
key (`rekey`) rewraps only the database key, so every slot follows without anyone's password.
During a rotation the next database key is stored beside the current one, so a crash leaves one
of the two working, never neither. The file
also holds the failed-login counters and the failed-login events waiting to enter the audit
log: the log lives inside the encrypted database, which a failed login cannot open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from continuity.core.clock import from_iso, to_utc_iso
from continuity.core.errors import CacheUnusable
from continuity.core.i18n import _
from continuity.store.files import write_atomically

FORMAT = "continuity-keyslots"
FORMAT_VERSION = 1
KEY_BYTES = 32

#: scrypt cost: N=2**16, r=8, p=1 takes about 0.12 s and 64 MiB here (benchmarks/bench_login.py;
#: a ward laptop is slower). Stored per slot, so it can be raised later without breaking old slots.
DEFAULT_SCRYPT = {"n": 2**16, "r": 8, "p": 1}

#: Failed logins before the delay starts, and its growth: 5 s, 10 s, 20 s ... up to 15 min.
FREE_FAILURES = 3
FIRST_DELAY_S = 5
MAX_DELAY_S = 15 * 60
MAX_TRACKED_LOGINS = 500
#: The audit log's actor for a failed log-in under a name that has no slot.
UNKNOWN_USER = "unknown-user"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive_key(secret: str, salt: bytes, params: dict[str, int]) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return kdf.derive(secret.encode("utf-8"))


def delay_after(failures: int) -> timedelta:
    """How long a login must wait after this many consecutive failures."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return timedelta(seconds=min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - FREE_FAILURES)))


@dataclass
class Slot:
    kind: str  # "user", "recovery" or "refresh"
    login: str
    kdf: dict[str, Any]
    nonce: str
    wrapped: str

    def aad(self, device_id: str) -> bytes:
        return f"{FORMAT}/{FORMAT_VERSION}|{self.kind}|{self.login}|{device_id}".encode()


@dataclass
class KeySlotFile:
    """The slots file of one cache, loaded in memory; `save()` writes it atomically."""

    path: Path
    device_id: str
    slots: list[Slot] = field(default_factory=list)
    db_key: dict[str, str] | None = None  # the database key wrapped under the master key
    db_key_next: dict[str, str] | None = None  # set only while a rotation is under way
    lockout: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_audit: list[dict[str, Any]] = field(default_factory=list)
    lockout_salt: str = ""  # keys the counters of names that have no slot (see `_counter_key`)

    # -- persistence -------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> KeySlotFile:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT:
                raise ValueError("not a key slot file")
            if raw.get("version") != FORMAT_VERSION:
                raise CacheUnusable(_("The key file was written by a newer version of Continuity."))
            return cls(
                path=path,
                device_id=raw["device_id"],
                slots=[Slot(**s) for s in raw["slots"]],
                db_key=raw.get("db_key"),
                db_key_next=raw.get("db_key_next"),
                lockout=raw.get("lockout", {}),
                pending_audit=raw.get("pending_audit", []),
                lockout_salt=raw.get("lockout_salt", ""),
            )
        except FileNotFoundError:
            raise CacheUnusable(
                _("No key file was found beside the cache: this cache cannot be opened.")
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            if isinstance(exc, CacheUnusable):
                raise
            raise CacheUnusable(_("The key file beside the cache is damaged.")) from None

    def save(self) -> None:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "device_id": self.device_id,
            "slots": [s.__dict__ for s in self.slots],
            "db_key": self.db_key,
            "db_key_next": self.db_key_next,
            "lockout": self.lockout,
            "pending_audit": self.pending_audit,
            "lockout_salt": self.lockout_salt,
        }
        write_atomically(self.path, json.dumps(data, indent=1).encode("utf-8"))

    # -- slots -------------------------------------------------------------------------
    def find(self, kind: str, login: str) -> Slot | None:
        for slot in self.slots:
            if slot.kind == kind and slot.login == login:
                return slot
        return None

    def logins(self, kind: str = "user") -> list[str]:
        return [s.login for s in self.slots if s.kind == kind]

    def put(
        self, kind: str, login: str, secret: str, master_key: bytes, params: dict | None = None
    ) -> None:
        """Wrap the master key under `secret` for (kind, login), replacing an older slot."""
        params = dict(params or DEFAULT_SCRYPT)
        salt = os.urandom(16)
        nonce = os.urandom(12)
        slot = Slot(
            kind=kind,
            login=login,
            kdf={"name": "scrypt", "salt": _b64(salt), **params},
            nonce=_b64(nonce),
            wrapped="",
        )
        wrapping = derive_key(secret, salt, params)
        slot.wrapped = _b64(AESGCM(wrapping).encrypt(nonce, master_key, slot.aad(self.device_id)))
        self.remove(kind, login)
        self.slots.append(slot)

    def remove(self, kind: str, login: str) -> bool:
        before = len(self.slots)
        self.slots = [s for s in self.slots if not (s.kind == kind and s.login == login)]
        return len(self.slots) != before

    def unwrap_master(self, kind: str, login: str, secret: str) -> bytes | None:
        """The master key, or None when there is no such slot or the secret is wrong."""
        slot = self.find(kind, login)
        if slot is None:
            # Spend the same time as a real attempt so timing does not reveal valid logins.
            derive_key(secret, b"\0" * 16, DEFAULT_SCRYPT)
            return None
        try:
            params = {k: int(slot.kdf[k]) for k in ("n", "r", "p")}
            salt = _unb64(slot.kdf["salt"])
        except (KeyError, TypeError, ValueError):
            raise CacheUnusable(_("The key file beside the cache is damaged.")) from None
        n, r, p = params["n"], params["r"], params["p"]
        if n < 2**12 or n > 2**22 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
            raise CacheUnusable(_("The key file beside the cache is damaged."))
        wrapping = derive_key(secret, salt, params)
        try:
            return AESGCM(wrapping).decrypt(
                _unb64(slot.nonce), _unb64(slot.wrapped), slot.aad(self.device_id)
            )
        except InvalidTag:
            return None

    def unwrap(self, kind: str, login: str, secret: str) -> bytes | None:
        """The current database key for this secret, or None (also used to check a witness)."""
        master = self.unwrap_master(kind, login, secret)
        return None if master is None else self.database_keys(master)[0]

    # -- the database key ----------------------------------------------------------------
    def _aad_db(self, which: str) -> bytes:
        return f"{FORMAT}/{FORMAT_VERSION}|db_key|{which}|{self.device_id}".encode()

    def set_database_key(self, master_key: bytes, key: bytes, *, rotating: bool = False) -> None:
        nonce = os.urandom(12)
        which = "next" if rotating else "current"
        block = {
            "nonce": _b64(nonce),
            "wrapped": _b64(AESGCM(master_key).encrypt(nonce, key, self._aad_db(which))),
        }
        if rotating:
            self.db_key_next = block
        else:
            self.db_key, self.db_key_next = block, None

    def database_keys(self, master_key: bytes) -> list[bytes]:
        """The current database key, then the next one if a rotation was interrupted."""
        keys = []
        for which, block in (("current", self.db_key), ("next", self.db_key_next)):
            if block is None:
                continue
            try:
                keys.append(
                    AESGCM(master_key).decrypt(
                        _unb64(block["nonce"]), _unb64(block["wrapped"]), self._aad_db(which)
                    )
                )
            except (InvalidTag, KeyError, ValueError):
                raise CacheUnusable(_("The key file beside the cache is damaged.")) from None
        if not keys:
            raise CacheUnusable(_("The key file beside the cache is damaged."))
        return keys

    # -- failed logins -----------------------------------------------------------------
    def _counter_key(self, login: str) -> str:
        """The name a failure is counted under. A name with no slot is often a password typed
        in the user field: it is kept only as a keyed hash, never in the clear."""
        if any(s.login == login for s in self.slots):
            return login
        if not self.lockout_salt:
            self.lockout_salt = _b64(os.urandom(16))
        digest = hmac.new(_unb64(self.lockout_salt), login.encode("utf-8"), hashlib.sha256)
        return "?" + digest.hexdigest()[:16]

    def retry_at(self, login: str) -> datetime | None:
        """When `login` may try again, or None if it may try now."""
        state = self.lockout.get(self._counter_key(login))
        if not state:
            return None
        wait = delay_after(int(state["failures"]))
        if not wait:
            return None
        return from_iso(state["last"]) + wait

    def record_failure(self, login: str, at: datetime, detail: str) -> None:
        key = self._counter_key(login)
        actor = login if key == login else UNKNOWN_USER
        state = self.lockout.setdefault(key, {"failures": 0, "last": to_utc_iso(at)})
        state["failures"] = int(state["failures"]) + 1
        state["last"] = to_utc_iso(at)
        if len(self.lockout) > MAX_TRACKED_LOGINS:  # unknown logins must not grow it forever
            oldest = min(self.lockout, key=lambda k: self.lockout[k]["last"])
            del self.lockout[oldest]
        self.pending_audit.append(
            {"at": to_utc_iso(at), "actor": actor, "action": "login_failed", "detail": detail}
        )
        self.pending_audit = self.pending_audit[-1000:]

    def clear_failures(self, login: str) -> None:
        self.lockout.pop(self._counter_key(login), None)


def new_database_key() -> bytes:
    """A random 256-bit key (used for the database key and for the master key)."""
    return secrets.token_bytes(KEY_BYTES)


def new_recovery_key() -> str:
    """A 160-bit recovery key, in groups easy to read aloud and type from paper."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L confusion
    chars = "".join(secrets.choice(alphabet) for _ in range(32))
    return "-".join(chars[i : i + 4] for i in range(0, 32, 4))


def normalise_recovery_key(text: str) -> str:
    cleaned = "".join(c for c in text.upper() if c.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))
