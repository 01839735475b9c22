"""IT rehearses a two-laptop outage on the demo hospital, and the merge can tell them apart.

Temporary patient ids are made from the laptop's name, so two demo laptops built with the same
name hand out the same ids: the merge then sees one temporary id admitted on two devices and
blocks it. `continuity demo --device-name` gives each demo laptop its own name, checked like a
real laptop's, before `--rebuild` removes anything.
"""

from __future__ import annotations

from pathlib import Path

from continuity.demo.provision import DEMO_USERS
from continuity.reconcile.export import export_entries
from continuity.reconcile.merge import merge_packages
from continuity.store.cache import login
from tests.cli_helpers import run_cli
from tests.reconcile_helpers import PASSPHRASE, admit, fast_export_kdf  # noqa: F401

ADMIN, NURSE = DEMO_USERS[0], DEMO_USERS[1]


def demo(folder: Path, *extra: str):
    return run_cli("demo", "--no-gui", "--patients", "5", "--folder", folder, *extra)


def device_of(folder: Path) -> str:
    with login(folder / "demo.db", ADMIN.login, ADMIN.password) as session:
        return session.device.name


def admit_and_export(folder: Path, out: Path, **who: str) -> str:
    with login(folder / "demo.db", NURSE.login, NURSE.password) as nurse:
        temp_id = admit(nurse, ward="Médecine", at=None, **who).patient_id
    with login(folder / "demo.db", ADMIN.login, ADMIN.password) as admin:
        export_entries(admin, out, PASSPHRASE)
    return temp_id


def test_two_demo_laptops_with_their_own_names_reconcile(tmp_path):
    first = demo(tmp_path / "pc1")
    second = demo(tmp_path / "pc2", "--device-name", " demo-medecine-pc2 ")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Nom du portable : DEMO-MEDECINE-PC2" in second.stdout
    assert device_of(tmp_path / "pc1") == "DEMO-MEDECINE-PC1"  # the default is unchanged
    assert device_of(tmp_path / "pc2") == "DEMO-MEDECINE-PC2"  # stored as a real name is

    one = admit_and_export(tmp_path / "pc1", tmp_path / "pc1.ccx", family="INCONNU")
    two = admit_and_export(
        tmp_path / "pc2",
        tmp_path / "pc2.ccx",
        family="ANONYME",
        given="Femme",
        sex="female",
        birth_date="1991-02-03",
    )
    assert (one, two) == ("DT-DEMO-MEDECINE-PC1-0001", "DT-DEMO-MEDECINE-PC2-0001")

    merged = merge_packages(
        [tmp_path / "pc1.ccx", tmp_path / "pc2.ccx"], [PASSPHRASE], tmp_path / "review"
    )
    assert not [c for c in merged.conflicts if c.kind == "temporary_patient" or c.blocking]
    assert sorted(merged.unmapped) == [one, two]  # two patients, each waiting for its IPP


def test_a_bad_name_is_refused_before_the_old_demo_is_removed(tmp_path):
    folder = tmp_path / "pc2"
    assert demo(folder, "--device-name", "DEMO-MEDECINE-PC2").returncode == 0

    too_long = demo(folder, "--rebuild", "--device-name", "X" * 41)
    blank = demo(folder, "--rebuild", "--device-name", "   ")

    for refused in (too_long, blank):
        assert refused.returncode == 4
        assert "nom de 1 à 40 caractères" in refused.stderr
    assert device_of(folder) == "DEMO-MEDECINE-PC2"  # still there, untouched


def test_reusing_a_demo_under_another_name_says_so(tmp_path):
    folder = tmp_path / "pc1"
    assert demo(folder).returncode == 0

    other = demo(folder, "--device-name", "DEMO-MEDECINE-PC2")
    same = demo(folder, "--device-name", "demo-medecine-pc1")

    assert other.returncode == 4
    assert "DEMO-MEDECINE-PC1" in other.stderr and "--rebuild" in other.stderr
    assert same.returncode == 0 and "réutilisé" in same.stdout
    renamed = demo(folder, "--rebuild", "--device-name", "DEMO-MEDECINE-PC2")
    assert renamed.returncode == 0, renamed.stderr
    assert device_of(folder) == "DEMO-MEDECINE-PC2"
