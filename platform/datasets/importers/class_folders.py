"""Images in one folder per class, from a .zip or .tar(.gz) archive.

Layout accepted: ``<class>/<image>`` at the top of the archive, or under one common folder
(``flower_photos/daisy/1.jpg``: the way most archives are made). Images deeper inside a class
folder keep their class, their path joined with "__" as the new name. Files that are not images
(licence texts, ``.DS_Store``, ``__MACOSX``) are left out; a file named like an image that is not
a whole, readable image refuses the import.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .archive import Member, SafeArchive
from .base import ImportLimits, ImportRefused, ImportResult, Progress, file_write_new
from .images import IMAGE_SUFFIXES, MAX_IMAGE_BYTES, image_check


def member_is_junk(member: Member) -> bool:
    """Metadata that archivers and file browsers add: hidden files, macOS resource forks."""
    return any(part.startswith(".") or part == "__MACOSX" for part in member.parts) or member.basename.lower() in {"thumbs.db", "desktop.ini"}


def member_is_image(member: Member) -> bool:
    return member.name.lower().endswith(IMAGE_SUFFIXES)


def common_folder(names: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The folders every path starts with (not counting each path's file name)."""
    prefix = names[0][:-1]
    for parts in names[1:]:
        n = 0
        while n < min(len(prefix), len(parts) - 1) and prefix[n] == parts[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def shape_summary(shapes: Counter) -> list:
    """[h, w, c] when every item has it, else None for the sizes that vary."""
    if not shapes:
        return []
    heights, widths = {s[0] for s in shapes}, {s[1] for s in shapes}
    channels = 3 if any(s[2] == 3 for s in shapes) else 1
    return [heights.pop() if len(heights) == 1 else None, widths.pop() if len(widths) == 1 else None, channels]


def class_folders_import(source: Path, out: Path, limits: ImportLimits, report: Progress, *, label: str) -> ImportResult:
    with SafeArchive(source, limits, label) as archive:
        kept = [m for m in archive.members if not member_is_junk(m)]
        images = [m for m in kept if member_is_image(m)]
        if not images:
            raise ImportRefused(_("%(file)s contains no PNG, JPEG, BMP or GIF images.") % {"file": label})
        prefix = common_folder([m.parts for m in images])
        if prefix and all(len(m.parts) - 1 == len(prefix) for m in images):
            prefix = prefix[:-1]  # all images in one folder: that folder is the (only) class
        targets: dict[int, tuple[str, str]] = {}
        for member in images:
            rest = member.parts[len(prefix):]
            if len(rest) < 2:
                raise ImportRefused(_("“%(name)s” in %(file)s is not inside a class folder. Put each class's images in a folder named after the class.")
                                    % {"name": member.name, "file": label})
            targets[member.index] = (rest[0], "__".join(rest[1:]))
        class_names = sorted({cls for cls, _name in targets.values()})
        if len(class_names) < 2:
            raise ImportRefused(_("%(file)s has only one class folder (%(name)s); a classifier needs at least two.")
                                % {"file": label, "name": class_names[0]})
        shapes: Counter = Counter()
        for done, (member, data) in enumerate(archive.iter_read(images, max_bytes=MAX_IMAGE_BYTES), start=1):
            shapes[image_check(data, member.name, limits)] += 1
            cls, name = targets[member.index]
            file_write_new(out / cls / name, data)
            report(0.05 + 0.9 * done / len(images))
    skipped = len(kept) - len(images)
    notes = [ngettext("%(n)d file that is not an image was left out.", "%(n)d files that are not images were left out.", skipped) % {"n": skipped}] if skipped else []
    return ImportResult(format="image_folder", class_names=class_names, num_items=len(images), item_shape=shape_summary(shapes), notes=notes)
