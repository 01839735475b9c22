"""Windows .ico and macOS .icns files made from the committed PNG, at build time.

PyInstaller can convert a PNG itself only when Pillow is installed, and Pillow is not one of
our dependencies. Both formats may simply carry PNG data (Windows Vista and later, macOS 10.7
and later), so a few lines of `struct` are enough and the repository keeps one source image
(`resources/icons/continuity.svg`, rendered once to `continuity.png`).
"""

from __future__ import annotations

import struct
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: icns element types that hold a PNG of the given pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header, refusing anything that is not a PNG."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def write_ico(png: Path, out: Path) -> Path:
    """One-image .ico holding the PNG as is (Windows scales it for small sizes)."""
    data = png.read_bytes()
    width, height = png_size(data)
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack(
        "<BBBBHHII",
        width % 256,  # 0 means 256
        height % 256,
        0,  # palette size
        0,  # reserved
        1,  # colour planes
        32,  # bits per pixel
        len(data),
        6 + 16,  # offset: after the header and the single directory entry
    )
    out.write_bytes(header + entry + data)
    return out


def write_icns(png: Path, out: Path) -> Path:
    """.icns holding the PNG as the element of its size (macOS scales the others)."""
    data = png.read_bytes()
    width, _height = png_size(data)
    kind = ICNS_TYPES.get(width)
    if kind is None:
        raise ValueError(f"no icns slot for a {width}-pixel image")
    element = kind + struct.pack(">I", 8 + len(data)) + data
    out.write_bytes(b"icns" + struct.pack(">I", 8 + len(element)) + element)
    return out
