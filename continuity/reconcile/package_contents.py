"""What is inside a package's encrypted body: a zip built and read in memory, never on disk.

Members:
- `entries.jsonl`: one entry per line, every column of the `entries` table (payload and
  confirmations as JSON objects), corrections included: the lossless form the merge reads;
- `context.json`: what the merge needs of the laptop's snapshot and users, which it cannot
  look up (it runs on any IT machine, without a cache): the orders the entries refer to
  (status, start and end, so a dose on an order stopped before it can be shown), their
  patients (names for the review report, IPP) and the authors' names;
- `bundle.json`: the FHIR R4 transaction Bundle of this laptop's entries (`fhir_out`);
- `csv/<kind>.csv`: one table per kind of entry, for people;
- `manifest.json`: device, site, user, "data as of" of the snapshot in force, sequence range,
  counts per kind, and the SHA-256 of every other member.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import IO, Any

import orjson

from continuity.core.i18n import _
from continuity.reconcile.package_format import PackageError

ENTRY_COLUMNS = (
    "uuid",
    "device_id",
    "seq",
    "kind",
    "author",
    "clinical_time",
    "recorded_time",
    "tz",
    "patient_id",
    "order_id",
    "supersedes",
    "reason",
    "payload",
    "confirmations",
    "witness",
    "drill",
)
ENTRIES = "entries.jsonl"
CONTEXT = "context.json"
BUNDLE = "bundle.json"
MANIFEST = "manifest.json"
CSV_FOLDER = "csv/"
#: Deflate level 1: the body is mostly repetitive JSON, which level 1 already shrinks about
#: tenfold; higher levels cost several times the time for a few percent.
_LEVEL = 1


def row_from_db(values: tuple) -> dict[str, Any]:
    """A row of `SELECT <ENTRY_COLUMNS> FROM entries` in its lossless JSON form."""
    row = dict(zip(ENTRY_COLUMNS, values, strict=True))
    row["payload"] = json.loads(row["payload"])
    row["confirmations"] = json.loads(row["confirmations"] or "[]")
    return row


def entry_line(row: dict[str, Any]) -> bytes:
    return (
        json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode("utf-8")


class _HashingWriter(io.RawIOBase):
    def __init__(self, target: IO[bytes], sha: Any) -> None:
        self.target = target
        self.sha = sha

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sha.update(data)
        self.target.write(data)
        return len(data)


class ContentsWriter:
    """Builds the inner zip in memory, hashing each member as it is written."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(
            self.buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL
        )
        self.hashes: dict[str, str] = {}

    @contextlib.contextmanager
    def member(self, name: str) -> Iterator[IO[bytes]]:
        sha = hashlib.sha256()
        with self.zip.open(name, "w", force_zip64=True) as raw:
            writer = io.BufferedWriter(_HashingWriter(raw, sha), buffer_size=1 << 16)
            yield writer  # type: ignore[misc]
            writer.flush()
        self.hashes[name] = sha.hexdigest()

    def add(self, name: str, data: bytes) -> None:
        with self.member(name) as stream:
            stream.write(data)

    def finish(self, manifest: dict[str, Any]) -> bytes:
        manifest = {**manifest, "members": dict(sorted(self.hashes.items()))}
        self.zip.writestr(
            MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
        )
        self.zip.close()
        return self.buffer.getvalue()


class PackageContents:
    """The inner zip of an opened package; members are checked against the manifest's hashes
    as they are read."""

    def __init__(self, payload: bytes, name: str) -> None:
        self.name = name
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(payload))
            self.manifest = json.loads(self.zip.read(MANIFEST))
            members = self.manifest["members"]
            if not isinstance(members, dict) or ENTRIES not in members:
                raise ValueError("no entries member")
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
            raise self._damaged() from None

    def _damaged(self) -> PackageError:
        return PackageError(
            _("{file}: this package is damaged or altered; it cannot be used.").format(
                file=self.name
            )
        )

    def read_json(self, member: str) -> Any:
        try:
            data = self.zip.read(member)
        except KeyError:
            raise self._damaged() from None
        if hashlib.sha256(data).hexdigest() != self.manifest["members"].get(member):
            raise self._damaged()
        return json.loads(data)

    def context(self) -> dict[str, Any]:
        return self.read_json(CONTEXT)

    def entry_lines(self) -> Iterator[bytes]:
        """entries.jsonl line by line (streamed, decompressed as it goes); the member's hash
        is checked when the last line has been read."""
        sha = hashlib.sha256()
        try:
            with self.zip.open(ENTRIES) as raw:
                stream = io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[arg-type]
                for line in stream:
                    sha.update(line)
                    if line.strip():
                        yield line
        except (KeyError, zipfile.BadZipFile):
            raise self._damaged() from None
        if sha.hexdigest() != self.manifest["members"][ENTRIES]:
            raise self._damaged()

    def entries(self) -> Iterator[dict[str, Any]]:
        for line in self.entry_lines():
            yield orjson.loads(line)

    def member_names(self) -> list[str]:
        return self.zip.namelist()
