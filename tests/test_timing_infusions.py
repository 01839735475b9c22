"""A pharmacist reads a 24-hour heparin syringe as a continuous infusion, not a daily bolus.

FHIR R4 says "over 24 h" with `Timing.repeat.duration` / `durationUnit` (how long one
administration lasts). Without it the prescription sheet, the pick list and the MAR printed
"1 fois par jour 08:00" for a syringe that runs all day. The dose times stay the changes of
syringe (08:00): only the wording says how long each one runs.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest

from continuity.core.clock import PARIS
from continuity.core.timing import (
    ScheduleConfig,
    TimingSpec,
    describe,
    expand_day,
    parse_timing,
    spec_from_json,
)
from continuity.demo import write_demo_snapshot
from continuity.fhir.importer import import_snapshot
from continuity.printing.render import render_sheet
from continuity.printing.request import SheetKind, SheetRequest
from continuity.store import census
from tests.snapshot_fixtures import _order, hospital, write_bulk

CFG = ScheduleConfig.default()
DAY = date(2026, 11, 28)


def syringe_over(hours: float, every: int = 24, unit: str = "h") -> dict[str, Any]:
    repeat = {"frequency": 1, "period": every, "periodUnit": "h"}
    return {"repeat": {**repeat, "duration": hours, "durationUnit": unit}}


def test_a_syringe_over_24_hours_is_continuous_in_french_and_english() -> None:
    spec = parse_timing(syringe_over(24))
    assert spec.expandable and (spec.lasts_value, spec.lasts_unit) == (24.0, "h")
    assert describe(spec, "fr") == "en continu, à renouveler toutes les 24 h"
    assert describe(spec, "en") == "continuous, renewed every 24 h"
    bag = parse_timing(syringe_over(12, every=12))
    assert describe(bag, "fr") == "en continu, à renouveler toutes les 12 h"
    # The same rhythm without a duration is still a plain daily dose.
    plain = parse_timing({"repeat": {"frequency": 1, "period": 24, "periodUnit": "h"}})
    assert describe(plain, "fr") == "1 fois par jour"


def test_a_short_infusion_says_how_long_each_one_runs() -> None:
    spec = parse_timing(syringe_over(30, every=8, unit="min"))
    assert describe(spec, "fr") == "toutes les 8 h, sur 30 min"
    assert describe(spec, "en") == "every 8 h, over 30 min"
    ranged = parse_timing({"repeat": {**syringe_over(30, 8, "min")["repeat"], "durationMax": 60}})
    assert describe(ranged, "fr") == "toutes les 8 h, sur 30 à 60 min"
    course = parse_timing(
        {
            "repeat": {
                "frequency": 1,
                "period": 1,
                "periodUnit": "d",
                "duration": 1.5,
                "durationUnit": "h",
                "boundsDuration": {"value": 7, "code": "d"},
            }
        }
    )
    assert describe(course, "fr") == "1 fois par jour, sur 1,5 h, pendant 7 jours"
    assert describe(course, "en") == "once a day, over 1.5 h, for 7 days"
    prn = parse_timing(syringe_over(30, every=6, unit="min"), as_needed=True)
    assert describe(prn, "fr") == "si besoin, max toutes les 6 h, sur 30 min"


def test_the_syringe_is_still_changed_at_the_ward_time() -> None:
    with_length = parse_timing(syringe_over(24))
    without = parse_timing({"repeat": {"frequency": 1, "period": 24, "periodUnit": "h"}})
    times = expand_day(with_length, DAY, CFG)
    assert times == expand_day(without, DAY, CFG) == [datetime(2026, 11, 28, 8, tzinfo=PARIS)]


def test_the_length_survives_the_cache_and_older_caches_still_load() -> None:
    spec = parse_timing({"repeat": {**syringe_over(30, 8, "min")["repeat"], "durationMax": 45}})
    stored = spec.to_json()
    assert TimingSpec.from_json(stored) == spec
    assert json.loads(stored)["lasts_max"] == 45.0
    # A spec without it is stored as before the field existed (no new key), and the text an
    # older version wrote loads as a spec without a length.
    plain = parse_timing({"repeat": {"frequency": 1, "period": 8, "periodUnit": "h"}})
    old_text = plain.to_json()
    assert "lasts" not in old_text
    assert spec_from_json(old_text) == plain and plain.lasts_value is None


@pytest.mark.parametrize(
    ("repeat", "why"),
    [
        ({"duration": 0, "durationUnit": "h"}, "not a positive number"),
        ({"duration": -2, "durationUnit": "h"}, "not a positive number"),
        ({"duration": "24", "durationUnit": "h"}, "not a positive number"),
        ({"duration": 24}, "without its unit"),
        ({"duration": 2, "durationUnit": "mo"}, "not understood"),
        ({"durationMax": 30, "durationUnit": "min"}, "without duration"),
        ({"duration": 30, "durationMax": 20, "durationUnit": "min"}, "durationMax"),
    ],
)
def test_a_length_that_cannot_be_read_is_not_guessed(repeat: dict[str, Any], why: str) -> None:
    """Left out, not guessed; and the dose times the order always had do not vanish with it
    (`why` names what is wrong with each, for whoever reads this test)."""
    spec = parse_timing({"repeat": {"frequency": 1, "period": 8, "periodUnit": "h", **repeat}})
    assert why
    assert spec.expandable and spec.lasts_value is None and spec.lasts_unit is None
    assert describe(spec, "fr") == "toutes les 8 h"
    assert len(expand_day(spec, DAY, CFG)) == 3


def test_an_imported_heparin_syringe_reads_continuous_on_the_prescription_sheet(
    cache, tmp_path: Path
) -> None:
    resources = hospital()
    resources["MedicationRequest"].append(
        _order(
            "o-hep",
            "p-jean",
            medicationCodeableConcept={"text": "Héparine sodique 25 000 UI/5 mL"},
            dosageInstruction=[
                {
                    "text": "24000 UI IV sur 24 h à la seringue électrique",
                    "timing": syringe_over(24),
                    "route": {"text": "intraveineuse"},
                    "doseAndRate": [{"doseQuantity": {"value": 24000, "unit": "UI"}}],
                }
            ],
        )
    )
    folder = write_bulk(tmp_path / "export", resources)
    with cache.login("admin") as session:
        report = import_snapshot(session, folder)
        assert not report.rejections
    with cache.login("pharma") as session:
        heparin = next(o for o in census.orders(session, "p-jean") if o.id == "o-hep")
        assert describe(heparin.timing, "fr") == "en continu, à renouveler toutes les 24 h"
        sheet = render_sheet(
            session, SheetRequest(SheetKind.PRESCRIPTIONS, patient_ids=("p-jean",))
        )
    pages = pypdf.PdfReader(io.BytesIO(sheet.pdf)).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert "Héparine sodique" in text
    assert "en continu, à renouveler toutes les 24 h" in text


def test_the_demo_heparin_and_drips_carry_their_length(tmp_path: Path) -> None:
    as_of = datetime(2026, 11, 28, 7, 30, tzinfo=PARIS)
    folder = tmp_path / "demo"
    write_demo_snapshot(folder, patients=60, as_of=as_of)
    with (folder / "MedicationRequest.ndjson").open(encoding="utf-8") as handle:
        requests = [json.loads(line) for line in handle]
    over = [
        (r, d)
        for r in requests
        for d in r.get("dosageInstruction", [])
        if " sur 12 h" in d["text"] or " sur 24 h" in d["text"]
    ]
    heparin = [(r, d) for r, d in over if "Héparine sodique" in json.dumps(r, ensure_ascii=False)]
    assert heparin and len(over) > len(heparin)
    for _request, dosage in over:
        spec = parse_timing(dosage["timing"], text=dosage["text"])
        hours = 24 if " sur 24 h" in dosage["text"] else 12
        assert dosage["timing"]["repeat"]["duration"] == hours
        assert describe(spec, "fr") == f"en continu, à renouveler toutes les {hours} h"
        assert describe(spec, "en") == f"continuous, renewed every {hours} h"
