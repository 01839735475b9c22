"""Where resources come from: a Bulk Data folder, a zip of one, or a single Bundle file.

Each source yields raw resources one at a time with where they were read (`Patient.ndjson:12`,
`bundle.json entry 3`), so every message can name the place to look. NDJSON is streamed line by
line, never read whole; a zip is read in memory member by member and never unpacked to disk
(a snapshot holds every patient of the hospital in the clear). A zip that is a signed package
(see `signing`) has its members hashed as they stream, for the importer to compare with the
signed list before it commits anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import urlparse

import orjson

from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.fhir.datatypes import fhir_datetime
from continuity.fhir.errors import Invalid, SnapshotFormatError
from continuity.fhir.signing import PAYLOAD_PREFIX, PackageInfo, payload_names, read_package

#: A longer NDJSON line is refused rather than read: no real resource is this big, and an
#: unbounded line from a damaged file would exhaust memory.
MAX_LINE = 64 << 20
BUNDLE_TYPES = ("collection", "searchset", "batch", "transaction")
_TYPE_FROM_NAME = re.compile(r"^([A-Z][A-Za-z]+)(?:[._-].*)?\.(?:ndjson|NDJSON)$")
_PROGRESS_EVERY = 2000
#: orjson parses snapshot lines twice as fast as the standard library (an hourly refresh
#: reads 140,000 of them for 5,000 patients); its errors are json.JSONDecodeError too.
_decode = orjson.loads

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class RawResource:
    resource: Any
    where: str
    full_url: str | None = None
    expected_type: str | None = None  # from the NDJSON file's name or the manifest


@dataclass
class _Member:
    name: str  # shown in messages: relative to the snapshot's root
    key: str  # the file path or zip member name
    size: int
    opener: Callable[[], IO[bytes]]


@dataclass
class Source:
    """An opened snapshot; `close()` (or `with`) releases its files."""

    kind: str  # bulk-folder | bulk-zip | bundle
    description: str
    bulk_files: list[tuple[_Member, str]] = field(default_factory=list)
    bundle: _Member | None = None
    manifest: dict[str, Any] | None = None
    package: PackageInfo | None = None
    notes: list[str] = field(default_factory=list)
    #: A Bundle's own time (timestamp, else meta.lastUpdated), known once it has been read.
    bundle_time: datetime | None = None
    others: list[_Member] = field(default_factory=list)  # present but not read
    digests: dict[str, str] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def total_bytes(self) -> int:
        members = [m for m, _t in self.bulk_files] + ([self.bundle] if self.bundle else [])
        return sum(m.size for m in members)

    def resources(self, progress: Progress | None = None) -> Iterator[RawResource]:
        done, total = 0, self.total_bytes
        if self.bundle is not None:
            with _damaged_member(self.bundle):
                yield from self._bundle_resources(self.bundle)
            if progress:
                progress(total, total)
            return
        for member, kind in self.bulk_files:
            with _damaged_member(member):
                for item, size in self._ndjson(member, kind):
                    done += size
                    if item is None:
                        if progress:
                            progress(done, total)
                        continue
                    yield item
            if progress:
                progress(done, total)

    def hash_unread(self) -> None:
        """Hash the members that were not read as resources (a package must match whole)."""
        if self.package is None:
            return
        for member in self.others:
            if member.key not in self.digests:
                sha = hashlib.sha256()
                with member.opener() as stream:
                    while chunk := stream.read(1 << 20):
                        sha.update(chunk)
                self.digests[member.key] = sha.hexdigest()

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------
    def _ndjson(self, member: _Member, kind: str) -> Iterator[tuple[RawResource | None, int]]:
        """(resource, bytes) per line; (None, bytes) every few thousand lines for progress."""
        sha = hashlib.sha256() if self.package is not None else None
        with member.opener() as raw:
            stream = (
                io.BufferedReader(raw, buffer_size=1 << 20)
                if not isinstance(raw, io.BufferedReader)
                else raw
            )
            lineno = 0
            pending = 0
            while True:
                line = stream.readline(MAX_LINE)
                if not line:
                    break
                lineno += 1
                pending += len(line)
                if sha is not None:
                    sha.update(line)
                if len(line) == MAX_LINE and not line.endswith(b"\n"):
                    raise SnapshotFormatError(
                        _(
                            "{where}: the line is too long to be one resource; nothing was "
                            "imported."
                        ).format(where=f"{member.name}:{lineno}")
                    )
                if not line.strip():
                    continue
                try:
                    resource = _decode(line)
                except ValueError:  # UnicodeDecodeError is one too
                    raise SnapshotFormatError(
                        _(
                            "{where}: not a complete JSON line: the file is truncated or "
                            "damaged; nothing was imported."
                        ).format(where=f"{member.name}:{lineno}")
                    ) from None
                yield RawResource(resource, f"{member.name}:{lineno}", None, kind), 0
                if lineno % _PROGRESS_EVERY == 0:
                    yield None, pending
                    pending = 0
            yield None, pending
        if sha is not None:
            self.digests[member.key] = sha.hexdigest()

    def _bundle_resources(self, member: _Member) -> Iterator[RawResource]:
        with member.opener() as stream:
            data = stream.read()
        if self.package is not None:
            self.digests[member.key] = hashlib.sha256(data).hexdigest()
        try:
            bundle = json.loads(data)
        except ValueError as exc:
            raise SnapshotFormatError(_not_json(member.name, exc)) from None
        del data
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise SnapshotFormatError(
                _("{where}: not a FHIR Bundle, nor a Bulk Data export.").format(where=member.name)
            )
        if bundle.get("type") not in BUNDLE_TYPES:
            raise SnapshotFormatError(
                _(
                    "{where}: a Bundle of type '{type}' is not a snapshot (expected collection, "
                    "searchset, batch or transaction)."
                ).format(where=member.name, type=bundle.get("type"))
            )
        self.bundle_time = _bundle_time(bundle)
        entries = bundle.get("entry") or []
        if not isinstance(entries, list):
            raise SnapshotFormatError(
                _("{where}: the Bundle's entries are not a list.").format(where=member.name)
            )
        for index, entry in enumerate(entries):
            where = f"{member.name} entry {index}"
            if not isinstance(entry, dict):
                yield RawResource(entry, where)
                continue
            full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
            request = entry.get("request") if isinstance(entry.get("request"), dict) else {}
            if entry.get("resource") is None and request.get("method") == "DELETE":
                continue
            search = entry.get("search") if isinstance(entry.get("search"), dict) else {}
            if search.get("mode") == "outcome":
                continue
            yield RawResource(entry.get("resource"), where, full_url)


def _not_json(name: str, exc: ValueError) -> str:
    """Where a JSON file stops making sense, in plain words (never the parser's own text)."""
    if isinstance(exc, UnicodeDecodeError):
        return _(
            "{where}: not a JSON text file (it holds binary data): the file is damaged, or is "
            "not a snapshot; nothing was imported."
        ).format(where=name)
    line = getattr(exc, "lineno", None)
    where = f"{name}:{line}" if isinstance(line, int) else name
    return _(
        "{where}: not valid JSON: the file is truncated or damaged; nothing was imported."
    ).format(where=where)


@contextlib.contextmanager
def _damaged_member(member: _Member) -> Iterator[None]:
    """A zip member whose bytes are cut or altered fails while it streams: say so plainly."""
    try:
        yield
    except (zipfile.BadZipFile, EOFError, zlib.error):
        raise SnapshotFormatError(
            _(
                "{where}: this file of the zip is damaged or truncated; nothing was imported."
            ).format(where=member.name)
        ) from None


def _bundle_time(bundle: dict[str, Any]) -> datetime | None:
    """When the Bundle was assembled (timestamp), else its own meta.lastUpdated."""
    meta = bundle.get("meta") if isinstance(bundle.get("meta"), dict) else {}
    for text, label in ((bundle.get("timestamp"), "timestamp"), (meta.get("lastUpdated"), "")):
        if not isinstance(text, str):
            continue
        try:
            moment = fhir_datetime(text, label or "meta.lastUpdated")
        except Invalid:
            moment = None
        if moment is None:
            raise SnapshotFormatError(
                _("The Bundle's {field} is not a valid time; nothing was imported.").format(
                    field=label or "meta.lastUpdated"
                )
            )
        return moment
    return None


# --------------------------------------------------------------------------- opening


def open_source(path: Path) -> Source:
    """Open what `path` holds: a folder, a zip (maybe a signed package) or a Bundle file."""
    if path.is_dir():
        members = [
            _Member(p.name, str(p), p.stat().st_size, lambda p=p: p.open("rb"))
            for p in sorted(path.iterdir())
            if p.is_file() and not p.name.startswith(".")
        ]
        return _classify(members, "bulk-folder", str(path), None, contextlib.ExitStack())
    if path.is_file() and zipfile.is_zipfile(path):
        return _open_zip(path)
    if path.is_file() and _looks_like_zip(path):
        raise SnapshotFormatError(
            _("The zip file is damaged or truncated (copy it again); nothing was imported.")
        )
    if path.is_file():
        member = _Member(path.name, str(path), path.stat().st_size, lambda: path.open("rb"))
        if path.suffix.lower() == ".ndjson":
            return _classify([member], "bulk-folder", str(path), None, contextlib.ExitStack())
        return Source("bundle", str(path), bundle=member)
    raise BadInput(_("No snapshot was found at this place: {path}").format(path=path))


def _looks_like_zip(path: Path) -> bool:
    """A zip whose end was cut off is no zip to `zipfile`, but still starts like one."""
    try:
        with path.open("rb") as stream:
            return stream.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _open_zip(path: Path) -> Source:
    stack = contextlib.ExitStack()
    try:
        zf = stack.enter_context(zipfile.ZipFile(path))
        package = read_package(zf)
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if package is not None:
            present = payload_names(zf)
            infos = [i for i in infos if i.filename in present]
            prefix = PAYLOAD_PREFIX
            if any(not i.filename.startswith(prefix) for i in infos):
                raise SnapshotFormatError(_("The package holds files outside its snapshot."))
        else:
            present = set()
            prefix = _common_folder([i.filename for i in infos])
        members = [
            _Member(i.filename[len(prefix) :], i.filename, i.file_size, lambda i=i: zf.open(i))
            for i in infos
        ]
        source = _classify(members, "bulk-zip", str(path), package, stack)
        source.present = present
        return source
    except zipfile.BadZipFile:
        stack.close()
        raise SnapshotFormatError(
            _("The zip file is damaged or truncated (copy it again); nothing was imported.")
        ) from None
    except BaseException:
        stack.close()
        raise


def _common_folder(names: list[str]) -> str:
    if not names or "/" not in names[0]:
        return ""
    first = names[0].split("/", 1)[0] + "/"
    return first if all(n.startswith(first) for n in names) else ""


def _classify(
    members: list[_Member],
    kind: str,
    description: str,
    package: PackageInfo | None,
    stack: contextlib.ExitStack,
) -> Source:
    by_name = {m.name: m for m in members}
    manifest_member = by_name.get("manifest.json")
    ndjson = [m for m in members if m.name.lower().endswith(".ndjson") and "/" not in m.name]
    if manifest_member is None and not ndjson:
        bundles = [m for m in members if m.name.lower().endswith(".json")]
        if len(bundles) == 1:
            others = [m for m in members if m is not bundles[0]]
            return Source(
                "bundle" if kind == "bulk-folder" else "bundle-zip",
                description,
                bundle=bundles[0],
                package=package,
                others=others,
                _stack=stack,
            )
        raise SnapshotFormatError(
            _(
                "No FHIR snapshot here: expected NDJSON files (Bulk Data export) or one Bundle "
                "JSON file."
            )
        )
    source = Source(kind, description, package=package, _stack=stack)
    if manifest_member is not None:
        source.manifest = _read_manifest(manifest_member, source)
    listed = _listed_files(source.manifest, by_name) if source.manifest else None
    if listed is None:
        listed = []
        for member in ndjson:
            match = _TYPE_FROM_NAME.match(member.name)
            if match:
                listed.append((member, match.group(1)))
    chosen = {m.key for m, _t in listed}
    source.bulk_files = sorted(listed, key=lambda pair: pair[0].name)
    source.others = [m for m in members if m.key not in chosen]
    ignored = [m.name for m in source.others if m is not manifest_member]
    if ignored:
        source.notes.append(_("files not read: {names}").format(names=", ".join(ignored)))
    return source


def _read_manifest(member: _Member, source: Source) -> dict[str, Any]:
    with member.opener() as stream:
        data = stream.read(MAX_LINE)
    if source.package is not None:
        source.digests[member.key] = hashlib.sha256(data).hexdigest()
    try:
        manifest = json.loads(data)
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except ValueError:
        raise SnapshotFormatError(
            _(
                "manifest.json is not valid JSON: the file is truncated or damaged; nothing was "
                "imported."
            )
        ) from None
    request = manifest.get("request")
    if isinstance(request, str) and "_since=" in request:
        raise SnapshotFormatError(
            _(
                "This export only holds changes (_since): a snapshot must be a full export, or "
                "patients would disappear from the cache."
            )
        )
    errors = manifest.get("error")
    if isinstance(errors, list) and errors:
        source.notes.append(
            _("the exporter reported errors in {count} file(s)").format(count=len(errors))
        )
    return manifest


def _listed_files(
    manifest: dict[str, Any], by_name: dict[str, _Member]
) -> list[tuple[_Member, str]] | None:
    """The files the manifest lists, or None when it lists none (then the names are used)."""
    output = manifest.get("output")
    if not isinstance(output, list) or not output:
        return None
    listed = []
    for item in output:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("url"), str)
            or not isinstance(item.get("type"), str)
        ):
            raise SnapshotFormatError(_("manifest.json: an output entry has no type or url."))
        name = PurePosixPath(urlparse(item["url"]).path).name
        member = by_name.get(name)
        if member is None:
            raise SnapshotFormatError(
                _(
                    "manifest.json lists {name}, which is not in the snapshot; nothing was "
                    "imported."
                ).format(name=name)
            )
        listed.append((member, item["type"]))
    return listed
