"""A zip archive written member by member, its directory kept on disk until the end.

``zipfile.ZipFile`` keeps an object per member until it closes, to write the archive's central
directory from them (about 450 bytes each): a national consultation's REFI-QDA project holds a
source file per answer, 130 MB at 300,000 answers. Here each member's directory entry is
written to a temporary file beside the archive as soon as the member is, and copied to the
archive's end when it closes. Members are deflated and dated 1980-01-01 (the same bytes on
every run); zip64 records are written where the format needs them (more than 65,535 members, a
size or an offset beyond 4 GiB). :mod:`.zip_members` reads such archives back the same way.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import tempfile
import zlib
from pathlib import Path

from .zip_members import _CENTRAL, _END, _END64, _END64_LOCATOR, _LOCAL, _UTF8_NAME, _ZIP64_EXTRA

__all__ = ["ZipWriter"]

_DEFLATED = 8
_DOS_DATE, _DOS_TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00, the format's first day
_UNIX, _REGULAR_FILE = 3, 0o100644 << 16  # made on a Unix system, rw-r--r--
_VERSION, _VERSION64 = 20, 45  # deflate; zip64
_LIMIT = 0xFFFFFFFF  # a size or offset at or beyond it is in a zip64 field
_MEMBERS_LIMIT = 0xFFFF


class ZipWriter:
    """Write the archive at ``path`` (replaced) a member at a time; use as a context manager.

    ``write(name, data)`` adds a member whose bytes are at hand; ``open(name)`` returns a
    stream for one written as it is made (at most one open at a time, nothing else written
    meanwhile). Leaving the ``with`` block on an error leaves the archive unfinished: write it
    under a temporary name (``core.storage.atomic_path``).
    """

    def __init__(self, path: str | os.PathLike):
        path = Path(path)
        self._out = path.open("wb")
        self._directory = tempfile.TemporaryFile(prefix=f".{path.name}.", dir=path.parent)
        self._count = 0
        self._streaming = False

    def write(self, name: str, data: bytes) -> None:
        """Add the member ``name`` holding ``data``."""
        self._check_free()
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        offset = self._out.tell()
        raw_name, flags = _name(name)
        zip64 = max(len(data), len(packed), offset) >= _LIMIT
        extra = _zip64_extra(len(data), len(packed)) if zip64 else b""
        self._out.write(_LOCAL.pack(
            b"PK\x03\x04", _VERSION64 if zip64 else _VERSION, 0, flags, _DEFLATED, _DOS_TIME,
            _DOS_DATE, zlib.crc32(data), *((_LIMIT, _LIMIT) if zip64 else (len(packed),
                                                                            len(data))),
            len(raw_name), len(extra)))
        self._out.write(raw_name + extra)
        self._out.write(packed)
        self._entry(raw_name, flags, zlib.crc32(data), len(packed), len(data), offset)

    def open(self, name: str) -> io.BufferedIOBase:
        """A stream that adds the member ``name`` with what is written to it (closed: done)."""
        self._check_free()
        self._streaming = True
        return io.BufferedWriter(_MemberStream(self, name), 1 << 16)

    def _check_free(self) -> None:
        if self._streaming:
            raise ValueError("a member of the archive is still being written")

    def _entry(self, raw_name: bytes, flags: int, crc: int, csize: int, usize: int,
               offset: int) -> None:
        """The member's central directory entry, kept in the temporary file."""
        big = [v for v in (usize, csize, offset) if v >= _LIMIT]
        extra = struct.pack(f"<2H{len(big)}Q", _ZIP64_EXTRA, 8 * len(big), *big) if big else b""
        version = _VERSION64 if big else _VERSION
        self._directory.write(_CENTRAL.pack(
            b"PK\x01\x02", version, _UNIX, version, 0, flags, _DEFLATED, _DOS_TIME, _DOS_DATE,
            crc, min(csize, _LIMIT), min(usize, _LIMIT), len(raw_name), len(extra), 0, 0, 0,
            _REGULAR_FILE, min(offset, _LIMIT)))
        self._directory.write(raw_name + extra)
        self._count += 1

    def close(self) -> None:
        """Write the central directory and the end records, and close the archive."""
        if self._out.closed:
            return
        try:
            self._check_free()
            start = self._out.tell()
            self._directory.seek(0)
            shutil.copyfileobj(self._directory, self._out, 1 << 20)
            size = self._out.tell() - start
            if self._count >= _MEMBERS_LIMIT or size >= _LIMIT or start >= _LIMIT:
                end64 = self._out.tell()
                self._out.write(_END64.pack(b"PK\x06\x06", _END64.size - 12, _VERSION64,
                                            _VERSION64, 0, 0, self._count, self._count, size,
                                            start))
                self._out.write(_END64_LOCATOR.pack(b"PK\x06\x07", 0, end64, 1))
            count = min(self._count, _MEMBERS_LIMIT)
            self._out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, min(size, _LIMIT),
                                      min(start, _LIMIT), 0))
        finally:
            self._abandon()

    def _abandon(self) -> None:
        self._directory.close()
        self._out.close()

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, exc_type, *exc) -> bool:
        if exc_type is None:
            self.close()
        else:
            self._abandon()
        return False


class _MemberStream(io.RawIOBase):
    """A member written as it is made: its local header carries zip64 sizes (its size is not
    known when it starts), filled in with its CRC once it is closed."""

    def __init__(self, archive: ZipWriter, name: str):
        self.archive, self.out = archive, archive._out
        self.raw_name, self.flags = _name(name)
        self.offset = self.out.tell()
        self.out.write(_LOCAL.pack(b"PK\x03\x04", _VERSION64, 0, self.flags, _DEFLATED,
                                   _DOS_TIME, _DOS_DATE, 0, _LIMIT, _LIMIT, len(self.raw_name),
                                   20))
        self.out.write(self.raw_name + _zip64_extra(0, 0))
        self.packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self.crc = self.usize = self.csize = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = memoryview(data).cast("B")
        self.crc = zlib.crc32(data, self.crc)
        self.usize += len(data)
        self._put(self.packer.compress(data))
        return len(data)

    def _put(self, packed: bytes) -> None:
        self.out.write(packed)
        self.csize += len(packed)

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        self._put(self.packer.flush())
        end = self.out.tell()
        self.out.seek(self.offset + 14)
        self.out.write(struct.pack("<L", self.crc))
        self.out.seek(self.offset + _LOCAL.size + len(self.raw_name))
        self.out.write(_zip64_extra(self.usize, self.csize))
        self.out.seek(end)
        self.archive._streaming = False
        self.archive._entry(self.raw_name, self.flags, self.crc, self.csize, self.usize,
                            self.offset)


def _name(name: str) -> tuple[bytes, int]:
    """A member's name as written, and the flag saying it is UTF-8 (when not ASCII)."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


def _zip64_extra(usize: int, csize: int) -> bytes:
    """A local header's zip64 extra field: the member's sizes."""
    return struct.pack("<2H2Q", _ZIP64_EXTRA, 16, usize, csize)
