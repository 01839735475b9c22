"""The foundation as IT and a security officer see it: migrations, roles, the audit chain."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from continuity.core.errors import CacheUnusable, PermissionDenied
from continuity.core.roles import ROLE_PERMISSIONS, Permission, Role
from continuity.store import audit, users
from continuity.store.cache import login, slots_path
from continuity.store.connection import open_connection, transaction
from continuity.store.key_slots import KeySlotFile, new_database_key
from continuity.store.schema import SCHEMA_VERSION, migrate, schema_version

PACKAGE = Path(__file__).resolve().parents[1] / "continuity"


def _old_cache(path: Path, version: int) -> None:
    """A cache as an older app version left it, made with that version's migrations."""
    key = new_database_key()
    device_id = str(uuid.uuid4())
    conn = open_connection(path, key, create=True)
    migrate(conn, None, target=version)
    with transaction(conn):
        conn.execute(
            "INSERT INTO device (id, name, site_name, created_at)"
            " VALUES (?, 'OLD-PC', 'Site', '2026-01-01T00:00:00Z')",
            (device_id,),
        )
        conn.execute(
            "INSERT INTO users (login, display_name, role, created_at, updated_at)"
            " VALUES ('tech', 'Tech Nicien', 'it', 'x', 'x')"
        )
        audit.append(conn, "2026-01-01T00:00:00Z", "tech", "setup", {})
    conn.close()
    master = new_database_key()
    slots = KeySlotFile(path=slots_path(path), device_id=device_id)
    slots.set_database_key(master, key)
    slots.put("user", "tech", "Old-Version-Pass-1", master)
    slots.save()


def test_an_older_cache_is_migrated_after_an_encrypted_backup(tmp_path, clock):
    path = tmp_path / "old.db"
    _old_cache(path, SCHEMA_VERSION - 1)
    with login(path, "tech", "Old-Version-Pass-1", clock=clock) as session:
        assert schema_version(session.conn) == SCHEMA_VERSION
        assert audit.verify_chain(session.conn).ok
        tables = {r[0] for r in session.conn.execute("SELECT name FROM sqlite_master")}
        assert "entries" in tables
    backup = tmp_path / f"old.db.before-v{SCHEMA_VERSION}.bak"
    assert backup.exists()
    assert not backup.read_bytes().startswith(b"SQLite format 3")


def test_a_cache_from_a_newer_app_is_refused_and_left_alone(cache):
    with cache.login("admin") as session:
        session.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = cache.path.read_bytes()
    with pytest.raises(CacheUnusable, match=r"récente|newer"):
        cache.login("nurse")
    assert cache.path.read_bytes() == before


def test_permissions_are_enforced_in_the_core_for_each_role(cache):
    with cache.login("nurse") as nurse:
        with pytest.raises(PermissionDenied):
            users.add_user(nurse, "x.y", "X Y", "nurse", "Some-Good-Pass-1")
        nurse.require(Permission.RECORD_CARE)
        with pytest.raises(PermissionDenied):
            nurse.require(Permission.EXPORT_ENTRIES)
        with pytest.raises(PermissionDenied):
            nurse.require(Permission.PRINT_PHARMACY_SHEETS)
    with cache.login("pharma") as pharma:
        pharma.require(Permission.PRINT_PHARMACY_SHEETS)
        with pytest.raises(PermissionDenied):
            pharma.require(Permission.IMPORT_SNAPSHOT)
    assert ROLE_PERMISSIONS[Role.IT] == frozenset(Permission)


def test_a_role_change_takes_effect_at_next_login(cache):
    with cache.login("admin") as admin, cache.login("nurse") as nurse:
        users.set_role(admin, "nurse", "pharmacist")
        assert nurse.user.role == Role.NURSE  # the open session keeps its role
    with cache.login("nurse") as again:
        assert again.user.role == Role.PHARMACIST


def test_tampering_with_an_audit_row_is_named(cache):
    with cache.login("admin") as session:
        for i in range(5):
            session.audit("test_event", {"i": i})
        assert audit.verify_chain(session.conn).ok
        target = session.conn.execute(
            "SELECT id FROM audit_log WHERE action = 'test_event' ORDER BY id LIMIT 1 OFFSET 2"
        ).fetchone()[0]
        conn = session.conn
        conn.execute("DROP TRIGGER audit_log_no_update")  # what an attacker with the key does
        conn.execute("UPDATE audit_log SET detail = '{\"i\":99}' WHERE id = ?", (target,))
        report = audit.verify_chain(conn)
        assert not report.ok and report.first_broken == target


def test_a_deleted_audit_row_is_named(cache):
    with cache.login("admin") as session:
        for i in range(3):
            session.audit("test_event", {"i": i})
        conn = session.conn
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE id = 3")
        assert audit.verify_chain(conn).first_broken == 3


def test_the_audit_log_refuses_edits_from_the_app_itself(cache):
    import sqlcipher3

    with cache.login("admin") as session:
        with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
            session.conn.execute("UPDATE audit_log SET actor = 'x'")
        with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
            session.conn.execute("DELETE FROM audit_log")


def test_setup_logins_and_user_changes_are_audited(cache):
    with cache.login("admin") as session:
        actions = [r[0] for r in session.conn.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[:2] == ["setup", "user_added"]
    assert actions.count("user_added") == 3
    assert actions.count("login") >= 2


def test_nothing_outside_the_ui_imports_qt():
    """Import every non-UI module with PySide6 blocked: the core must not need Qt."""
    modules = sorted(
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in PACKAGE.rglob("*.py")
        if "ui" not in p.relative_to(PACKAGE).parts and p.name != "__main__.py"
    )
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'PySide6' or name.startswith('PySide6.'):\n"
        "            raise ImportError('Qt is blocked outside continuity.ui: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m.removesuffix('.__init__'))\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
