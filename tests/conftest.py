"""Shared fixtures: a real encrypted cache in a temporary folder, an injected clock.

Key derivation is made cheaper in tests (scrypt N=2**12 instead of 2**16) so a suite of
hundreds of log-ins stays fast; one test checks the production cost separately.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CONTINUITY_LANG", "fr")

from continuity.core.clock import FixedClock
from continuity.store import key_slots
from continuity.store.cache import create_cache, login
from continuity.store.session import Session

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ADMIN_PASSWORD = "Tango-Charlie-42"
NURSE_PASSWORD = "Delta-Oscar-42!"
PHARMACIST_PASSWORD = "Kilo-Lima-Mike-7"


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_slots, "DEFAULT_SCRYPT", {"n": 2**12, "r": 8, "p": 1})


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's data folders, settings and temp files in a throw-away home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))


@dataclass
class CacheFixture:
    path: Path
    recovery_key: str
    clock: FixedClock

    def login(self, user: str = "admin", password: str | None = None) -> Session:
        passwords = {
            "admin": ADMIN_PASSWORD,
            "nurse": NURSE_PASSWORD,
            "pharma": PHARMACIST_PASSWORD,
        }
        return login(self.path, user, password or passwords[user], clock=self.clock)


@pytest.fixture
def cache(tmp_path: Path, clock: FixedClock) -> CacheFixture:
    """A cache with an IT admin, a nurse and a pharmacist, as IT would set up a laptop."""
    from continuity.store import users

    path = tmp_path / "ward.db"
    recovery = create_cache(
        path,
        device_name="SAGESSE-3A-PC1",
        admin_login="admin",
        admin_password=ADMIN_PASSWORD,
        admin_display_name="Alice Admin",
        site_name="Clinique Test",
        clock=clock,
    )
    with login(path, "admin", ADMIN_PASSWORD, clock=clock) as session:
        users.add_user(session, "nurse", "Nadia Infirmière", "nurse", NURSE_PASSWORD)
        users.add_user(
            session, "pharma", "Paul Pharmacien", "pharmacist", PHARMACIST_PASSWORD, "10101234567"
        )
    return CacheFixture(path, recovery, clock)
