"""Data-loading throughput of the training pipeline, with and without cache / prefetch.

Uses the trainer's own ``datasets_make`` (the code every run uses) on a class-folder data set in
a workspace folder (a copy of the bundled "shapes" set: 600 PNG images, 128×128, decoded and
resized to 180×180 as the flowers lab does). For each variant it makes full passes over the
training split and reports images per second:
  * "read only": iterate as fast as possible;
  * "with a 20 ms step": the consumer does 20 ms of work per batch (a stand-in for a training
    step), which is where prefetch can overlap reading with computing.
Variants are measured in interleaved rounds so the machine's drift hits all alike; epoch 1 (cold:
files read and decoded) and later epochs (warm: served from the cache when it is on) are shown
separately. Ratios are against the plain pipeline (no cache, no prefetch).

Usage: .venv/bin/python bench/bench_dataloading.py [--rounds 3] [--epochs 3] [--step-ms 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "workers")]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

VARIANTS = {
    "plain": {"cache": False, "prefetch": False},
    "prefetch": {"cache": False, "prefetch": True},
    "cache": {"cache": True, "prefetch": False},
    "cache+prefetch": {"cache": True, "prefetch": True},
}


def workspace_dataset(root: Path) -> Path:
    from datasets.bundled import shapes_build

    path = root / "workspace" / "datasets" / "shapes"
    shapes_build(path, per_class=150, size=128)
    return path


def measure(path: Path, pipeline: dict, epochs: int, step_s: float, batch_size: int = 32) -> list[float]:
    """Images per second of each full pass over the training split."""
    import keras
    import tensorflow as tf

    from trainer.train import datasets_make

    config = {"dataset": {"format": "image_folder", "path": str(path)}, "spec": {"input_shape": [180, 180, 3]},
              "hyperparameters": {"batch_size": batch_size, "seed": 123, "validation_split": 0.2}, "pipeline": pipeline}
    train_ds, _val = datasets_make(config, tf, keras)
    rates = []
    for _epoch in range(epochs):
        images = 0
        started = time.perf_counter()
        for x, _y in train_ds:
            images += int(x.shape[0])
            if step_s:
                time.sleep(step_s)
        rates.append(images / (time.perf_counter() - started))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--step-ms", type=float, default=20.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dlc-bench-data-"))
    try:
        path = workspace_dataset(tmp)
        results: dict[tuple[str, str], dict[str, list[float]]] = {}
        for round_no in range(args.rounds):
            for mode, step in (("read only", 0.0), (f"with a {args.step_ms:g} ms step", args.step_ms / 1000)):
                for name, pipeline in VARIANTS.items():
                    rates = measure(path, pipeline, args.epochs, step)
                    entry = results.setdefault((mode, name), {"cold": [], "warm": []})
                    entry["cold"].append(rates[0])
                    entry["warm"].extend(rates[1:])
            print(f"round {round_no + 1}/{args.rounds} done", flush=True)
        print(f"\nshapes in a workspace folder: 480 training images per pass, batch 32, {args.rounds} rounds × {args.epochs} passes")
        for mode in sorted({m for m, _n in results}, reverse=True):
            print(f"\n{mode}:")
            base = results[(mode, "plain")]
            print(f"  {'pipeline':16s} {'cold img/s':>11s} {'ratio':>6s} {'warm img/s':>11s} {'ratio':>6s}")
            for name in VARIANTS:
                entry = results[(mode, name)]
                cold, warm = statistics.median(entry["cold"]), statistics.median(entry["warm"])
                cold_ratio = cold / statistics.median(base["cold"])
                warm_ratio = warm / statistics.median(base["warm"])
                print(f"  {name:16s} {cold:11.0f} {cold_ratio:6.2f} {warm:11.0f} {warm_ratio:6.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
