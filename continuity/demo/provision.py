"""`continuity demo`: a ready-to-use cache on the synthetic hospital, for trying the app.

The demo users' passwords are public (README): this cache holds synthetic patients only and
lives in its own folder, never in the place of a real cache. Each demo laptop of a rehearsal
needs its own device name: temporary patient ids are made from it (`DT-<name>-0001`), so two
laptops with the same name hand out the same ids and their exports cannot be reconciled.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from continuity.core.clock import Clock, SystemClock
from continuity.store import users
from continuity.store.cache import create_cache, login, valid_device_name


@dataclass(frozen=True)
class DemoUser:
    login: str
    display_name: str
    role: str
    password: str
    professional_id: str | None = None


DEMO_USERS = (
    DemoUser("admin.it", "Camille Leroy", "it", "Informatique-Demo-1"),
    DemoUser("ines.martin", "Inès Martin", "nurse", "Infirmiere-Demo-1"),
    DemoUser("hugo.petit", "Hugo Petit", "nurse", "Infirmier-Demo-2"),
    DemoUser("paul.bernard", "Paul Bernard", "pharmacist", "Pharmacie-Demo-1", "10101234567"),
)
DEMO_DEVICE = "DEMO-MEDECINE-PC1"
DEMO_SITE = "Clinique Sainte-Anne (démo)"


def demo_db_path(folder: Path) -> Path:
    return folder / "demo.db"


def demo_device_name(name: str) -> str:
    """The name as `create_cache` stores it (trimmed, upper case), refused by the same rule
    and message as a real laptop's (1 to 40 characters). Checked before `demo --rebuild`
    removes the old demo cache, so a bad name never leaves the user with none."""
    return valid_device_name(name)


def build_demo_cache(
    folder: Path,
    *,
    patients: int = 60,
    clock: Clock | None = None,
    as_of: datetime | None = None,
    device_name: str = DEMO_DEVICE,
) -> Path:
    """Create the demo cache in `folder` (which must not hold one) and load the hospital."""
    clock = clock or SystemClock()
    folder.mkdir(parents=True, exist_ok=True)
    path = demo_db_path(folder)
    admin = DEMO_USERS[0]
    create_cache(
        path,
        device_name=demo_device_name(device_name),
        admin_login=admin.login,
        admin_password=admin.password,
        admin_display_name=admin.display_name,
        site_name=DEMO_SITE,
        clock=clock,
    )
    with login(path, admin.login, admin.password, clock=clock) as session:
        for user in DEMO_USERS[1:]:
            users.add_user(
                session,
                user.login,
                user.display_name,
                user.role,
                user.password,
                user.professional_id,
            )
        load_demo_hospital(session, patients=patients, as_of=as_of or clock.now())
    return path


def demo_cache_device(folder: Path) -> str:
    """The device name of the demo cache in `folder` (opened as the demo IT user, whose
    password is public): `demo --device-name` on an existing demo tells it apart."""
    admin = DEMO_USERS[0]
    with login(demo_db_path(folder), admin.login, admin.password) as session:
        return session.device.name


def load_demo_hospital(session, *, patients: int, as_of: datetime) -> None:
    """Write the synthetic snapshot to a private temporary folder and import it.

    The folder holds synthetic data only (no real patient), and is removed at once.
    """
    from continuity.demo.hospital import write_demo_snapshot
    from continuity.fhir.importer import import_snapshot

    with tempfile.TemporaryDirectory(prefix="continuity-demo-") as tmp:
        write_demo_snapshot(Path(tmp), patients=patients, as_of=as_of, site_name=DEMO_SITE)
        import_snapshot(session, Path(tmp))


def ensure_demo_cache(folder: Path, *, patients: int = 60, clock: Clock | None = None) -> Path:
    """Reuse the demo cache in `folder` if there is one, else build it."""
    path = demo_db_path(folder)
    if path.exists():
        return path
    return build_demo_cache(folder, patients=patients, clock=clock)
