"""Opening the packages of a merge: every check made before anything is written.

The clear headers are read first (not a package, another format version, the same package
twice, a drill or an empty package are refused before any passphrase is tried); then each
package is authenticated and decrypted, and its manifest compared with its header. Each
refusal is one sentence naming the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from continuity.core.errors import BadInput
from continuity.core.i18n import _
from continuity.reconcile.package_contents import PackageContents
from continuity.reconcile.package_format import (
    Header,
    OpenedPackage,
    PackageError,
    open_package,
    read_header,
)
from continuity.reconcile.progress import Steps


@dataclass
class MergePackage:
    """A package authenticated and decrypted, with its inner zip opened."""

    opened: OpenedPackage
    contents: PackageContents

    @property
    def header(self) -> Header:
        return self.opened.header


def _passphrase_list(paths: list[Path], passphrases: Sequence[str]) -> list[str]:
    phrases = list(passphrases)
    if len(phrases) == 1:
        return phrases * len(paths)
    if len(phrases) != len(paths):
        raise BadInput(_("Give one passphrase for every package, or one for all of them."))
    return phrases


def _check_headers(paths: list[Path]) -> None:
    """What the clear headers already tell, before any passphrase is tried."""
    seen_paths: dict[Path, str] = {}
    seen_ids: dict[str, str] = {}
    for path in paths:
        if not path.is_file():
            raise BadInput(_("No package was found at this place: {path}").format(path=path))
        resolved = path.resolve()
        if resolved in seen_paths:
            raise PackageError(
                _("The same package was given twice: {file}.").format(file=path.name)
            )
        seen_paths[resolved] = path.name
        header = read_header(path)
        if header.package_id in seen_ids:
            raise PackageError(
                _("The same package was given twice: {a} and {b}.").format(
                    a=seen_ids[header.package_id], b=path.name
                )
            )
        seen_ids[header.package_id] = path.name
        if header.drill:
            raise PackageError(
                _(
                    "{file} is a drill (training) package: its entries are not real care and "
                    "are never merged."
                ).format(file=path.name)
            )
        if header.entry_count == 0:
            raise PackageError(_("{file} holds no entries.").format(file=path.name))


def _check_manifest(contents: PackageContents, header: Header) -> None:
    m = contents.manifest
    same = (
        m.get("package_id") == header.package_id
        and (m.get("device") or {}).get("id") == header.device_id
        and m.get("entry_count") == header.entry_count
        and dict(m.get("counts") or {}) == header.counts
        and not m.get("drill")
    )
    if not same:
        raise PackageError(
            _("{file}: this package is damaged or altered; it cannot be used.").format(
                file=contents.name
            )
        )


#: Packages decrypted at the same time. scrypt and AES-GCM release the GIL, so two threads
#: halve the opening of five packages on a two-core laptop; each derivation holds 64 MiB, so
#: more threads would push the app past its memory budget for little more gain.
_OPEN_THREADS = 2


def open_packages(
    paths: Sequence[Path], passphrases: Sequence[str], steps: Steps | None = None
) -> list[MergePackage]:
    """Every package authenticated and decrypted, or one clear refusal (nothing written).

    Packages are opened two at a time; when several are refused, the refusal reported is the
    first one in the order the files were given, whatever thread finished first."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise BadInput(_("Give at least one package to merge."))
    phrases = _passphrase_list(paths, passphrases)
    _check_headers(paths)
    packages: list[MergePackage] = []
    digests: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=min(_OPEN_THREADS, len(paths))) as pool:
        pending: list[Future[OpenedPackage]] = [
            pool.submit(open_package, path, phrase)
            for path, phrase in zip(paths, phrases, strict=True)
        ]
        try:
            for number, (path, future) in enumerate(zip(paths, pending, strict=True)):
                if steps is not None:
                    steps.report(number, len(paths), _("Opening {file}").format(file=path.name))
                opened = future.result()
                if opened.file_sha256 in digests:
                    raise PackageError(
                        _("The same package was given twice: {a} and {b}.").format(
                            a=digests[opened.file_sha256], b=path.name
                        )
                    )
                digests[opened.file_sha256] = path.name
                contents = PackageContents(opened.payload, path.name)
                _check_manifest(contents, opened.header)
                packages.append(MergePackage(opened, contents))
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return packages
