"""A broken or poisoned snapshot gets a clear refusal and leaves the cache exactly as it was.

A snapshot file can come from a damaged USB stick or from an attacker (a cyber-attack is why
the wards are offline). Starting from a valid demo export, hypothesis breaks it the ways real
files break: truncated lines, wrong JSON types, huge strings, unknown resource types,
duplicate ids, broken references, impossible dates and time zones, a damaged manifest, as a
Bulk folder, a zip or a single Bundle. Whatever comes in, the importer either succeeds (and
the census it stored can be read) or raises one of the project's `UserError`s, and then every
snapshot table is byte-for-byte what it was before. Anything else escaping is a bug.

Examples are derandomized (the same ones in every CI run) and bounded to a few seconds.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from continuity.core.errors import UserError
from continuity.demo import write_demo_snapshot
from continuity.fhir.importer import import_snapshot
from continuity.store import audit, census, emar
from tests.crash_writer import snapshot_digest

SEED_AS_OF = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
MANIFEST = "manifest.json"

Path_ = tuple[str | int, ...]


@dataclass
class Snapshot:
    """A Bulk export being broken: the manifest and, per file, its lines (a resource as a
    dict, or raw text once a line has been cut)."""

    manifest: Any
    files: dict[str, list[Any]]

    def __repr__(self) -> str:  # hypothesis prints it with every failing example
        return f"Snapshot({len(self.files)} files, {len(self.resources())} resources)"

    def resources(self) -> list[tuple[str, int]]:
        return [
            (name, i)
            for name, lines in sorted(self.files.items())
            for i, line in enumerate(lines)
            if isinstance(line, dict)
        ]


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """A valid little clinic (4 patients, ~230 resources of every type the importer reads)."""
    folder = tmp_path_factory.mktemp("seed")
    write_demo_snapshot(folder, patients=4, seed=3, as_of=SEED_AS_OF)
    files = {
        p.name: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
        for p in folder.glob("*.ndjson")
    }
    return Snapshot(json.loads((folder / MANIFEST).read_text(encoding="utf-8")), files)


# -- walking and changing JSON --------------------------------------------------------------
def _walk(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))


def _set(root: Any, path: Path_, value: Any) -> None:
    for step in path[:-1]:
        root = root[step]
    root[path[-1]] = value


def _delete(root: Any, path: Path_) -> None:
    for step in path[:-1]:
        root = root[step]
    del root[path[-1]]


# -- what broken input looks like -----------------------------------------------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)  # json.loads reads NaN and Infinity
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
IMPOSSIBLE_TIMES = [
    "2026-02-30", "2026-13-01", "2026-00-10", "2026-11-31T10:00:00Z", "2026-11-28T24:00:01Z",
    "2026-11-28T10:60:00Z", "2026-11-28T10:00:61+01:00", "2026-11-28T10:00:00+25:00",
    "2026-11-28T10:00:00+01:60", "2026-11-28T10:00:00", "2026-11-28T10:00Z", "2026-11-28 10:00",
    "0000-01-01", "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59-12:00", "99999-01-01",
    "2026-11-28T10:00:00.1234567890123456789Z", "2026-W48-6", "28/11/2026", "", "T", "Z",
    "2026-03-29T02:30:00", "2026-10-25T02:30:00", "-2026-11-28", "2026-11-28T10:00:00+14:30",
    "1e400", "2026-11-28T10:00:00ZZ", "２０２６-１１-２８",
]  # fmt: skip
impossible_times = st.sampled_from(IMPOSSIBLE_TIMES) | st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{:02d}:{:02d}".format,
    st.integers(0, 9999),
    st.integers(0, 14),
    st.integers(0, 33),
    st.integers(0, 26),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from("+-"),
    st.integers(0, 30),
    st.integers(0, 61),
)
BROKEN_REFERENCES = [
    "Patient/nobody", "Patient/", "Patient", "/", "", "urn:uuid:", "urn:uuid:not-a-uuid", "#",
    "#missing", "Practitioner?identifier=", "Practitioner?identifier=|", "Patient?x=y",
    "http://elsewhere.invalid/R4/Patient/pat-00001/_history/2", "Medication/../../etc/passwd",
    "Location/loc-that-does-not-exist", "Encounter/enc-nobody", "Patient/pat-00001/extra",
]  # fmt: skip
broken_references = (
    st.sampled_from(BROKEN_REFERENCES)
    | st.text(max_size=30)
    | st.builds("{}/{}".format, st.sampled_from(["Patient", "Medication", "Practitioner"]),
                st.text(max_size=12))
)  # fmt: skip
resource_type_names = st.text(max_size=20) | st.from_regex(r"\A[A-Z][a-zA-Z]{2,14}\Z")


# -- the mutations: each draws what it needs from the snapshot as it is now -----------------
def _pick(data: st.DataObject, places: list, label: str) -> Any:
    """One of `places`, drawn by index so a failing example prints short."""
    return places[data.draw(st.integers(0, len(places) - 1), label=label)]


def _pick_resource(data: st.DataObject, snap: Snapshot) -> tuple[str, int, dict]:
    name, i = _pick(data, snap.resources(), "resource")
    resource = snap.files[name][i]
    note(f"{name} line {i + 1}: {resource.get('resourceType')}/{resource.get('id')}")
    return name, i, resource


def truncate_line(data: st.DataObject, snap: Snapshot) -> None:
    name, i, resource = _pick_resource(data, snap)
    text = json.dumps(resource, ensure_ascii=False)
    snap.files[name][i] = text[: data.draw(st.integers(0, len(text) - 1), label="cut")]


def wrong_type(data: st.DataObject, snap: Snapshot) -> None:
    paths = [p for p, _v in _walk(snap.manifest) if p]
    if paths and data.draw(st.booleans(), label="in manifest"):
        _set(snap.manifest, data.draw(st.sampled_from(paths)), data.draw(json_values))
        return
    _name, _i, resource = _pick_resource(data, snap)
    paths = [p for p, _v in _walk(resource) if p]
    _set(resource, data.draw(st.sampled_from(paths), label="path"), data.draw(json_values))


def wrong_shape(data: st.DataObject, snap: Snapshot) -> None:
    """A top-level element of the wrong JSON type (a list where an object is due...)."""
    _name, _i, resource = _pick_resource(data, snap)
    key = data.draw(st.sampled_from(sorted(resource)), label="element")
    value = resource[key]
    shapes = [v for v in ("text", 7, [], {}, None) if type(v) is not type(value)]
    resource[key] = data.draw(st.sampled_from(shapes), label="shape")


def drop_field(data: st.DataObject, snap: Snapshot) -> None:
    _name, _i, resource = _pick_resource(data, snap)
    paths = [p for p, _v in _walk(resource) if p]
    _delete(resource, data.draw(st.sampled_from(paths), label="path"))


def huge_string(data: st.DataObject, snap: Snapshot) -> None:
    _name, _i, resource = _pick_resource(data, snap)
    paths = [p for p, v in _walk(resource) if p and not isinstance(v, dict | list)]
    if not paths:
        return
    size = data.draw(st.integers(10_000, 400_000), label="size")
    letter = data.draw(st.sampled_from(["x", "é", "\u202e", "\x00", " ", "9"]), label="letter")
    _set(resource, data.draw(st.sampled_from(paths), label="path"), letter * size)


def unknown_type(data: st.DataObject, snap: Snapshot) -> None:
    kind = data.draw(resource_type_names, label="type")
    if data.draw(st.booleans(), label="new file"):
        name = kind if kind.isalpha() and kind[:1].isupper() else "Strange"
        snap.files[f"{name}.ndjson"] = [{"resourceType": kind, "id": "x1"}]
        if isinstance(snap.manifest, dict) and isinstance(snap.manifest.get("output"), list):
            snap.manifest["output"].append({"type": kind, "url": f"{name}.ndjson"})
    else:
        _name, _i, resource = _pick_resource(data, snap)
        resource["resourceType"] = kind


def duplicate_id(data: st.DataObject, snap: Snapshot) -> None:
    name, _i, resource = _pick_resource(data, snap)
    twin = copy.deepcopy(resource)
    if data.draw(st.booleans(), label="change the twin"):
        twin["meta"] = {"lastUpdated": "2026-11-28T05:00:00Z"}
        twin["status"] = "stopped"
    snap.files[name].insert(data.draw(st.integers(0, len(snap.files[name]))), twin)


def broken_reference(data: st.DataObject, snap: Snapshot) -> None:
    places = [
        (name, i, path)
        for name, i in snap.resources()
        for path, _v in _walk(snap.files[name][i])
        if path and path[-1] == "reference"
    ]
    if not places:
        return
    name, i, path = _pick(data, places, "reference")
    note(f"reference at {name} line {i + 1} {path}")
    _set(snap.files[name][i], path, data.draw(broken_references, label="to"))


def impossible_time(data: st.DataObject, snap: Snapshot) -> None:
    places: list[tuple[Any, Path_]] = []
    if isinstance(snap.manifest, dict) and "transactionTime" in snap.manifest:
        places.append((snap.manifest, ("transactionTime",)))
    for name, i in snap.resources():
        resource = snap.files[name][i]
        places += [
            (resource, path)
            for path, value in _walk(resource)
            if (isinstance(value, str) and value[:4].isdigit() and value[4:5] == "-")
            or (path and path[-1] in ("timeOfDay", "start", "end"))
        ]
    root, path = _pick(data, places, "time")
    note(f"time at {root.get('resourceType', 'manifest')}/{root.get('id', '')} {path}")
    _set(root, path, data.draw(impossible_times, label="value"))


def broken_manifest(data: st.DataObject, snap: Snapshot) -> None:
    choice = data.draw(st.integers(0, 3), label="manifest change")
    if choice == 0:
        snap.manifest = data.draw(json_values, label="manifest")
    elif choice == 1 and isinstance(snap.manifest, dict):
        snap.manifest.pop(data.draw(st.sampled_from(sorted(snap.manifest) or ["x"])), None)
    elif isinstance(snap.manifest, dict) and isinstance(snap.manifest.get("output"), list):
        url = data.draw(
            st.sampled_from(["../outside.ndjson", "/etc/passwd", "Missing.ndjson", "", "."])
            | st.text(max_size=12)
        )
        snap.manifest["output"].append({"type": "Patient", "url": url})


MUTATIONS = [
    truncate_line, wrong_type, wrong_shape, drop_field, huge_string, unknown_type, duplicate_id,
    broken_reference, impossible_time, broken_manifest,
]  # fmt: skip


# -- writing the broken snapshot as IT would receive it -------------------------------------
def _ndjson(lines: list[Any]) -> str:
    return "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
        for line in lines
    )


def _bulk_files(snap: Snapshot) -> dict[str, bytes]:
    files = {name: _ndjson(lines).encode("utf-8") for name, lines in snap.files.items()}
    files[MANIFEST] = json.dumps(snap.manifest, ensure_ascii=False).encode("utf-8")
    return files


def write_snapshot(snap: Snapshot, form: str, where: Path) -> Path:
    if form == "folder":
        folder = where / "export"
        folder.mkdir()
        for name, data in _bulk_files(snap).items():
            (folder / name).write_bytes(data)
        return folder
    if form == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in _bulk_files(snap).items():
                archive.writestr(f"export/{name}", data)
        (where / "export.zip").write_bytes(buffer.getvalue())
        return where / "export.zip"
    # One Bundle: a cut line cuts the Bundle's text there too.
    entries = [
        '{"resource":' + (line if isinstance(line, str) else json.dumps(line)) + "}"
        for lines in snap.files.values()
        for line in lines
    ]
    text = '{"resourceType":"Bundle","type":"collection","entry":[' + ",".join(entries) + "]}"
    (where / "bundle.json").write_text(text, encoding="utf-8")
    return where / "bundle.json"


def _read_like_the_screens(session) -> None:
    census.snapshot_info(session)
    now = session.now()
    census.appointments(session, now - timedelta(days=30), now + timedelta(days=30))
    for patient in census.list_patients(session, include_discharged=True, include_absent=True):
        census.orders(session, patient.id, active_only=False)
        census.allergies(session, patient.id)
        census.latest_observations(session, patient.id)
        emar.mar_for_patient(session, patient.id)  # expands every order's timing for today


# -- the property ---------------------------------------------------------------------------
@pytest.fixture
def it_session(cache, seed, tmp_path):
    """IT logged in on a laptop that already holds the valid seed snapshot."""
    folder = write_snapshot(seed, "folder", tmp_path)
    with cache.login("admin") as session:
        import_snapshot(session, folder)
        shutil.rmtree(folder)
        yield session


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one cache on purpose: each example checks it
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_a_broken_snapshot_is_refused_clearly_and_changes_nothing(it_session, seed, tmp_path, data):
    snap = copy.deepcopy(seed)
    for mutate in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        mutate(data, snap)
    form = data.draw(st.sampled_from(["folder", "zip", "bundle"]), label="form")
    accept_partial = data.draw(st.booleans(), label="accept partial")
    where = Path(tempfile.mkdtemp(dir=tmp_path))
    path = write_snapshot(snap, form, where)
    before = snapshot_digest(it_session.conn)
    try:
        import_snapshot(it_session, path, as_of=SEED_AS_OF, accept_partial=accept_partial)
    except UserError as refused:
        message = str(refused)
        assert message.strip() and "Traceback" not in message
        assert snapshot_digest(it_session.conn) == before, f"changed by a refused import: {message}"
    else:  # accepted: what it stored must read back as the screens read it
        _read_like_the_screens(it_session)
    finally:
        shutil.rmtree(where)
    assert audit.verify_chain(it_session.conn).ok


# -- what the generated inputs found, kept as plain examples --------------------------------
def _patient_with(seed: Snapshot, path: Path_, value: Any) -> Snapshot:
    snap = copy.deepcopy(seed)
    _set(snap.files["Patient.ndjson"][0], path, value)
    return snap


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("identifier",), "8030823"),  # found by the fuzzing, fixed in cf3a46b
        (("identifier", 0, "system"), 7),  # found by the fuzzing: escaped as AttributeError
        (("name", 0, "family"), ["Dupont"]),  # was imported with an empty family name
        (("birthDate",), "1950-02-30"),
    ],
)
def test_a_patient_of_the_wrong_shape_is_rejected_by_name(it_session, seed, tmp_path, path, value):
    """A malformed patient is refused with the file and line, not "unexpected error"."""
    before = snapshot_digest(it_session.conn)
    folder = write_snapshot(_patient_with(seed, path, value), "folder", tmp_path)
    with pytest.raises(UserError, match=r"Patient\.ndjson"):
        import_snapshot(it_session, folder)
    assert snapshot_digest(it_session.conn) == before
