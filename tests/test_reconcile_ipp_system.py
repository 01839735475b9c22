"""A downtime patient mapped to a real IPP is sent under the central record's IPP system.

After the outage IT maps each temporary patient to the IPP the admissions office gave; the
merged Bundle must then create (or find) the Patient as `identifier=<IPP system>|<IPP>`. With
the IPP alone, the central server would match any identifier of any system with that value (an
MRN, a passport number) or create a Patient whose IPP nobody can look up.

The caches here are filled by the real importer from a real exporter's output (the Synthea
sample: IPP as a type "MR" identifier) and from the demo hospital (type "PI", text "IPP"), so
the identifiers are stored exactly as the importer stores them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from continuity.demo import write_demo_snapshot
from continuity.fhir.identifiers import ipp
from continuity.fhir.importer import import_snapshot
from continuity.reconcile import snapshot_context
from continuity.reconcile.merge import merge_packages
from tests.conftest import SHARED_DATA
from tests.reconcile_helpers import (
    PASSPHRASE,
    Laptop,
    admit,
    bundle_resources,
    fast_export_kdf,  # noqa: F401 - autouse fixture
    merged_bundle,
)

SYNTHEA = SHARED_DATA / "synthea-bulk-10"
SYNTHEA_IPP_SYSTEM = "http://hospital.smarthealthit.org"
DEMO_IPP_SYSTEM = "urn:oid:1.2.250.1.999.1.1"


def _synthea(cache, tmp_path: Path) -> None:
    with cache.login("admin") as session:
        import_snapshot(session, SYNTHEA, as_of="2026-11-28T05:30:00Z")


def _demo(cache, tmp_path: Path) -> None:
    as_of = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)
    write_demo_snapshot(tmp_path / "demo", patients=12, as_of=as_of)
    with cache.login("admin") as session:
        import_snapshot(session, tmp_path / "demo")


@pytest.mark.parametrize(
    ("load", "system"),
    [(_synthea, SYNTHEA_IPP_SYSTEM), (_demo, DEMO_IPP_SYSTEM)],
    ids=["synthea-sample", "demo-hospital"],
)
def test_a_mapped_downtime_patient_is_created_under_the_ipp_system(cache, tmp_path, load, system):
    load(cache, tmp_path)
    with cache.login("admin") as session:
        assert snapshot_context.ipp_system(session) == system
    with cache.login("nurse") as session:
        admission = admit(session, family="INCONNU", given="Homme")
    laptop = Laptop(cache.path, cache.clock)
    package = laptop.export(tmp_path / "pc1.ccx")
    mapping = tmp_path / "map.csv"
    mapping.write_text(f"temporary_id,real_ipp\n{admission.patient_id},300400\n")

    merged = merge_packages([package.path], [PASSPHRASE], tmp_path / "out", mapping_csv=mapping)

    bundle = merged_bundle(merged)
    (entry,) = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert entry["request"]["ifNoneExist"] == f"identifier={system}|300400"
    (ipp_ident,) = [i for i in entry["resource"]["identifier"] if i["value"] == "300400"]
    assert ipp_ident["system"] == system
    for resource in bundle_resources(bundle, "Encounter"):
        if resource["subject"]["reference"].startswith("Patient?"):
            assert resource["subject"]["reference"] == f"Patient?identifier={system}|300400"


@pytest.mark.parametrize(
    "stored_type",
    ["IPP", "PI", "MR", {"text": "IPP"}, {"coding": [{"code": "PI"}]}],
)
def test_the_ipp_is_recognised_in_every_form_the_cache_stores(stored_type):
    """The importer keeps an identifier's type as its first code, else its text (a string);
    older caches and fixtures keep the FHIR object: both are the same IPP."""
    stored = [
        {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "999-94-5397", "type": "SS"},
        {"system": "urn:oid:1.2.250.1.999.1.1", "value": "300400", "type": stored_type},
    ]
    assert ipp(stored) == "300400"


def test_the_synthea_sample_keeps_its_mrn_as_a_plain_type(cache, tmp_path):
    """Guards the premise above: what the importer really writes for the sample's MRN."""
    _synthea(cache, tmp_path)
    with cache.login("admin") as session:
        ipp_value, identifiers = session.conn.execute(
            "SELECT ipp, identifiers FROM patients LIMIT 1"
        ).fetchone()
    (mrn,) = [i for i in json.loads(identifiers) if i.get("system") == SYNTHEA_IPP_SYSTEM]
    assert mrn == {"value": ipp_value, "system": SYNTHEA_IPP_SYSTEM, "type": "MR"}
