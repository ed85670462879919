"""``python -m lessonfigures OUT_DIR [NAME …] [--force] [--data DATASET_ROOT]`` (no Django needed)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import figures_build
from .registry import FigureContext


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessonfigures", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("names", nargs="*", help="figure names (default: all)")
    parser.add_argument("--force", action="store_true", help="re-render even if up to date")
    parser.add_argument("--data", type=Path, default=None, help="dataset root with the bundled data sets")
    args = parser.parse_args(argv)
    failed = 0
    for result in figures_build(args.out_dir, FigureContext(dataset_root=args.data), names=args.names or None, force=args.force):
        line = f"{result.status:8s} {result.name}"
        if result.status == "built":
            line += f"  {result.width}×{result.height}  {result.seconds:.2f} s"
        if result.warnings:
            line += "  WARN " + " | ".join(result.warnings)
        if result.error:
            line += "  " + result.error
            failed += 1
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
