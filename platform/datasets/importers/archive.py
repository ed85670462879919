"""Reading uploaded zip and tar archives without trusting them.

The whole table of contents is checked before a single byte of content is used: every name
must be a plain relative path (no absolute paths, drive letters, backslashes or ``..``: the
"zip slip"), every entry a regular file or folder (no symbolic or hard links, devices, FIFOs),
and the counts and sizes within the limits, including the compression ratio that gives a zip
bomb away. Nothing is ever extracted by the archive libraries: importers read members into
memory through :meth:`SafeArchive.read` and write only what they have checked, under names they
build themselves.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from django.utils.translation import gettext as _

from .base import ImportLimits, ImportRefused, mib

_CHUNK = 1024 * 1024
# tarfile reads a pax or GNU long-name header in one read of its declared size, so a forged
# header could make it allocate gigabytes; a real one is a few hundred bytes.
_MAX_SINGLE_READ = 32 * 1024 * 1024
# Small members compress extremely well when they are mostly blank (a white PNG, a repeated XML
# line) without being dangerous; the ratio check looks at members that unpack to more than this.
_RATIO_MIN_BYTES = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError)


@dataclass(frozen=True)
class Member:
    """A regular file in the archive; ``name`` is normalised ("a/b.png", no "./")."""

    name: str
    size: int
    index: int
    ref: object

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("/"))

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]


class _CappedReader(io.RawIOBase):
    """A seekable decompressed stream that refuses any single read bigger than _MAX_SINGLE_READ."""

    def __init__(self, stream, label: str):
        self._stream = stream
        self._label = label

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > _MAX_SINGLE_READ:
            raise ImportRefused(_("%(archive)s contains a header that claims to be %(size)s long; this is not a real tar archive.")
                                % {"archive": self._label, "size": mib(size if size and size > 0 else 0)})
        return self._stream.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def close(self) -> None:
        self._stream.close()
        super().close()


def _decompressed(path: Path):
    with open(path, "rb") as handle:
        magic = handle.read(6)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    if magic[:3] == b"BZh":
        return bz2.open(path, "rb")
    if magic == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb")
    return open(path, "rb")


class SafeArchive:
    """A zip or tar(.gz/.bz2/.xz) archive whose table of contents passed the checks in the module
    docstring. ``members`` lists its regular files in archive order."""

    def __init__(self, path: Path, limits: ImportLimits, label: str):
        self.path = Path(path)
        self.limits = limits
        self.label = label
        self.members: list[Member] = []
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        try:
            if zipfile.is_zipfile(self.path):
                self._zip = zipfile.ZipFile(self.path)
                self._zip_index()
            else:
                self._tar_open()
                self._tar_index()
        except ImportRefused:
            self.close()
            raise
        except _ARCHIVE_ERRORS as exc:
            self.close()
            raise ImportRefused(_("%(archive)s is damaged or is not a complete .zip or .tar.gz archive (%(error)s).")
                                % {"archive": label, "error": exc}) from None

    # --- the checks ------------------------------------------------------------------------

    def _refuse(self, message: str, name: str = "") -> ImportRefused:
        return ImportRefused(message % {"archive": self.label, "name": name})

    def _name(self, raw: str) -> str:
        if "\x00" in raw:
            raise self._refuse(_("%(archive)s contains a file name with a NUL character; nothing was imported."), raw.replace("\x00", "?"))
        if raw.startswith(("/", "\\")) or _DRIVE.match(raw):
            raise self._refuse(_("%(archive)s contains “%(name)s”, an absolute path. An archive may only contain relative paths; nothing was imported."), raw)
        if "\\" in raw:
            raise self._refuse(_("%(archive)s contains “%(name)s”, a path with backslashes. Make the archive with a tool that writes “/” between folders; nothing was imported."), raw)
        parts = [p for p in raw.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise self._refuse(_("%(archive)s contains “%(name)s”, which points outside the archive's folder (“..”). Nothing was imported."), raw)
        if len(raw) > 1024 or any(len(p.encode("utf-8", "surrogateescape")) > 255 for p in parts):
            raise self._refuse(_("%(archive)s contains a file name longer than a file system allows: “%(name)s”."), raw[:200])
        return "/".join(parts)

    def _count_check(self, count: int) -> None:
        if count > self.limits.max_files:
            raise ImportRefused(_("%(archive)s contains more than %(limit)d files and folders, the most one import may have.")
                                % {"archive": self.label, "limit": self.limits.max_files})

    def _size_check(self, total: int) -> None:
        if total > self.limits.max_unpacked_bytes:
            raise ImportRefused(_("%(archive)s unpacks to more than %(limit)s, the most one import may have.")
                                % {"archive": self.label, "limit": mib(self.limits.max_unpacked_bytes)})

    def _ratio_check(self, unpacked: int, packed: int, name: str | None) -> None:
        if unpacked <= _RATIO_MIN_BYTES:
            return
        ratio = unpacked / max(packed, 1)
        if ratio > self.limits.max_ratio:
            where = _("“%(name)s” in %(archive)s") % {"name": name, "archive": self.label} if name else self.label
            raise ImportRefused(_("%(where)s is compressed %(ratio)d times, far more than real data ever is (the limit is %(limit)d). It looks like a zip bomb; nothing was imported.")
                                % {"where": where, "ratio": int(ratio), "limit": int(self.limits.max_ratio)})

    def _add(self, name: str, size: int, ref, seen: set[str]) -> None:
        if name == "":
            raise self._refuse(_("%(archive)s contains a file without a name; nothing was imported."))
        if name in seen:
            raise self._refuse(_("%(archive)s contains “%(name)s” twice; nothing was imported."), name)
        seen.add(name)
        self.members.append(Member(name=name, size=size, index=len(self.members), ref=ref))

    def _zip_index(self) -> None:
        infos = self._zip.infolist()
        self._count_check(len(infos))
        total, seen = 0, set()
        for info in infos:
            name = self._name(info.filename)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind == stat.S_IFLNK:
                raise self._refuse(_("%(archive)s contains “%(name)s”, which is a link. Links are not allowed in data-set archives; nothing was imported."), info.filename)
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise self._refuse(_("%(archive)s contains “%(name)s”, which is a device or other special file; nothing was imported."), info.filename)
            if info.flag_bits & 0x1:
                raise self._refuse(_("“%(name)s” in %(archive)s is encrypted. Upload an archive without a password."), info.filename)
            if info.is_dir() or kind == stat.S_IFDIR:
                continue
            total += info.file_size
            self._size_check(total)
            self._ratio_check(info.file_size, info.compress_size, info.filename)
            self._add(name, info.file_size, info, seen)
        self._ratio_check(total, self.path.stat().st_size, None)

    def _tar_open(self) -> None:
        stream = _decompressed(self.path)
        try:
            self._tar = tarfile.open(fileobj=_CappedReader(stream, self.label), mode="r:")
        except ImportRefused:
            stream.close()
            raise
        except _ARCHIVE_ERRORS:
            stream.close()
            raise ImportRefused(_("%(archive)s is neither a .zip nor a .tar, .tar.gz, .tar.bz2 or .tar.xz archive.") % {"archive": self.label}) from None

    def _tar_index(self) -> None:
        # Header by header, so the first entry over a limit stops the scan before the rest of a
        # bomb is decompressed.
        total, count, seen = 0, 0, set()
        while True:
            info = self._tar.next()
            if info is None:
                break
            count += 1
            self._count_check(count)
            name = self._name(info.name)
            if info.issym() or info.islnk():
                raise self._refuse(_("%(archive)s contains “%(name)s”, which is a link. Links are not allowed in data-set archives; nothing was imported."), info.name)
            if info.isdir():
                continue
            if not info.isreg() or info.issparse():
                raise self._refuse(_("%(archive)s contains “%(name)s”, which is a device or other special file; nothing was imported."), info.name)
            total += info.size
            self._size_check(total)
            self._add(name, info.size, info, seen)
        self._ratio_check(total, self.path.stat().st_size, None)

    # --- reading -----------------------------------------------------------------------------

    def read(self, member: Member, max_bytes: int | None = None) -> bytes:
        """The member's bytes. ``max_bytes`` refuses members that are too big for their kind."""
        if max_bytes is not None and member.size > max_bytes:
            raise ImportRefused(_("“%(name)s” in %(archive)s is %(size)s, more than the %(limit)s such a file may have.")
                                % {"name": member.name, "archive": self.label, "size": mib(member.size), "limit": mib(max_bytes)})
        try:
            handle = self._zip.open(member.ref) if self._zip is not None else self._tar.extractfile(member.ref)
            chunks, received = [], 0
            with handle:
                while True:
                    chunk = handle.read(min(_CHUNK, member.size - received + 1))
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > member.size:
                        raise ImportRefused(_("“%(name)s” in %(archive)s is longer than the archive says; the archive is damaged.")
                                            % {"name": member.name, "archive": self.label})
                    chunks.append(chunk)
        except ImportRefused:
            raise
        except _ARCHIVE_ERRORS as exc:
            raise ImportRefused(_("“%(name)s” in %(archive)s cannot be read: the archive is damaged (%(error)s).")
                                % {"name": member.name, "archive": self.label, "error": exc}) from None
        if received != member.size:
            raise ImportRefused(_("“%(name)s” in %(archive)s is shorter than the archive says; the archive is damaged or incomplete.")
                                % {"name": member.name, "archive": self.label})
        return b"".join(chunks)

    def iter_read(self, members: Iterable[Member], max_bytes: int | None = None) -> Iterator[tuple[Member, bytes]]:
        """Read several members in archive order (a compressed tar can only go forward cheaply)."""
        for member in sorted(members, key=lambda m: m.index):
            yield member, self.read(member, max_bytes)

    def close(self) -> None:
        for handle in (self._zip, self._tar):
            if handle is not None:
                handle.close()
        if self._tar is not None and self._tar.fileobj is not None:
            self._tar.fileobj.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
