"""What the labeling checks and formats cost, measured against doing the same without them.

Three measurements, each side by side with a plain baseline in the same run:
  * ingest: ``labeling.images.image_ingest`` (full Pillow decode, EXIF orientation, re-encode,
    thumbnail) vs a plain ``Image.open(...).load()`` of the same uploads — what a checked upload
    costs per image;
  * export: ``labeling.formats.export_write`` (VOC: images + one XML per image + split lists) vs
    writing the same image files into a zip with ``zipfile`` alone — the format's overhead;
  * import: ``archive_open(...).items()`` over that export (safe-archive checks, XML parsing) vs
    reading the members with ``zipfile`` alone.
The data: scikit-learn's two sample photos (640×427 JPEG) cut into varied crops, and generated
shape drawings with random boxes, so nothing is downloaded.

Usage: .venv/bin/python bench/bench_labeling.py [--images 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "workers")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlclassroom.settings_test")


def photos(count: int) -> list[bytes]:
    from PIL import Image
    from sklearn.datasets import load_sample_images

    rng = random.Random(0)
    sources = [Image.fromarray(a) for a in load_sample_images().images]
    out = []
    for n in range(count):
        image = sources[n % 2]
        w, h = rng.randint(160, 400), rng.randint(120, 300)
        x, y = rng.randint(0, image.width - w), rng.randint(0, image.height - h)
        buffer = io.BytesIO()
        image.crop((x, y, x + w, y + h)).save(buffer, format="JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from PIL import Image

    from datasets.importers.base import ImportLimits
    from labeling.formats import Box, ExportImage, archive_open, export_write
    from labeling.images import image_ingest

    uploads = photos(args.images)
    work = Path(tempfile.mkdtemp(prefix="bench-labeling-"))
    stored = []
    rng = random.Random(1)
    for n, data in enumerate(uploads):
        ingested = image_ingest(data, f"{n}.jpg")
        path = work / f"{n:05d}.jpg"
        path.write_bytes(ingested.data)
        boxes = [Box(rng.choice(["cat", "dog"]), x0, y0, x0 + rng.randint(5, ingested.width - x0), y0 + rng.randint(5, ingested.height - y0))
                 for x0, y0 in [(rng.randint(0, ingested.width - 6), rng.randint(0, ingested.height - 6)) for _ in range(3)]]
        stored.append(ExportImage(name=path.name, path=path, width=ingested.width, height=ingested.height, depth=3, label=None,
                                  boxes=boxes, split=rng.choice(["train", "val"]), verified=False))
    limits = ImportLimits(max_upload_bytes=10**10, max_unpacked_bytes=10**10, max_files=10**6, max_ratio=100, max_image_pixels=10**8)

    def plain_decode():
        for data in uploads:
            with Image.open(io.BytesIO(data)) as image:
                image.load()

    def ingest():
        for n, data in enumerate(uploads):
            image_ingest(data, f"{n}.jpg")

    def plain_zip():
        with zipfile.ZipFile(work / "plain.zip", "w", zipfile.ZIP_STORED) as archive:
            for item in stored:
                archive.write(item.path, f"plain/{item.name}")

    def export():
        export_write("voc", work / "voc.zip", title="bench", class_names=["cat", "dog"], images=iter(stored), total=len(stored),
                     report=lambda _f: None)

    def plain_read():
        with zipfile.ZipFile(work / "voc.zip") as archive:
            for info in archive.infolist():
                archive.read(info)

    def import_read():
        with archive_open(work / "voc.zip", "voc", limits, label="voc.zip") as contents:
            for _item in contents.items(lambda _f: None):
                pass

    export()  # the import rounds read this file
    pairs = {"ingest": (plain_decode, ingest), "export": (plain_zip, export), "import": (plain_read, import_read)}
    results: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in pairs}
    for _round in range(args.rounds):
        # Interleaved, so drift in the machine's speed hits both sides alike.
        for name, (baseline, measured) in pairs.items():
            results[name][0].append(timed(baseline))
            results[name][1].append(timed(measured))
    n = len(uploads)
    print(f"{n} images, {args.rounds} rounds, medians; {sum(map(len, uploads)) / n / 1024:.0f} KiB per upload on average")
    print(f"{'':8} {'baseline':>22} {'platform':>22} {'ratio':>7}")
    labels = {"ingest": ("Pillow decode", "checked + re-encoded"), "export": ("zipfile only", "VOC export"),
              "import": ("zipfile read", "VOC import read")}
    for name, (base, measured) in results.items():
        b, m = statistics.median(base), statistics.median(measured)
        print(f"{name:8} {labels[name][0]:>13} {n / b:6.0f}/s  {labels[name][1]:>15} {n / m:5.0f}/s  {m / b:6.2f}×")
    print(f"VOC export size: {(work / 'voc.zip').stat().st_size / 2**20:.1f} MiB; plain zip {(work / 'plain.zip').stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
