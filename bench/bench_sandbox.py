"""What the learner-code sandbox costs, measured side by side with the same work unsandboxed.

Two measurements, alternating plain and sandboxed rounds in one run:
  * code exercises: the grading harness on each of the course's twelve reference solutions with
    all their cases, as ``python _dlc_harness.py`` in a plain child process vs inside bubblewrap
    (``sandbox.runner.run_python`` with the exercise's limits) — the per-submission overhead;
  * Keras-code training: the training child (``python -m trainer``) on scikit-learn's digits
    (1797 real 8×8 images, no download) with the same ``build_model`` code, plain vs inside the
    sandbox as a Keras-code run gets it (``sandbox_prepare``, uid 65533, data at /data) — the
    start-up and per-epoch overhead.

Usage: .venv/bin/python bench/bench_sandbox.py [--rounds 3] [--epochs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT / "workers")]

from exercises.codeloader import code_exercises_read  # noqa: E402
from sandbox.runner import Limits, run_python, sandbox_available, sandbox_prepare  # noqa: E402

CODE_DIR = ROOT / "courses" / "deep-learning-tf" / "code"
MODEL_CODE = """import keras
from keras import layers


def build_model(input_shape, num_classes):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Rescaling(1 / 16),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(32, activation="relu"),
        layers.Dense(num_classes),
    ])
"""


def exercise_folders(base: Path) -> list[tuple[str, Path, dict]]:
    """One work folder per exercise: reference solution, harness, value codec, every case."""
    pages = {p.parent.name: set() for p in (ROOT / "courses" / "deep-learning-tf").glob("ch*/chapter.yaml")}
    import yaml

    chapters = {yaml.safe_load((ROOT / "courses" / "deep-learning-tf" / name / "chapter.yaml").read_text())["slug"]: name for name in pages}
    chapter_pages = {slug: {p.stem.split("-", 1)[1] for p in (ROOT / "courses" / "deep-learning-tf" / folder).glob("*.md")}
                     for slug, folder in chapters.items()}
    out = []
    for exercise in code_exercises_read(CODE_DIR, chapter_pages):
        work = base / exercise["key"]
        work.mkdir()
        shutil.copy(CODE_DIR / exercise["key"] / "solution.py", work / "solution.py")
        shutil.copy(ROOT / "platform" / "exercises" / "sandbox_harness.py", work / "_dlc_harness.py")
        shutil.copy(ROOT / "platform" / "exercises" / "codevalues.py", work / "_dlc_values.py")
        (work / "cases.json").write_text(json.dumps({"cases": [
            {"id": c["id"], "call": c["call"], "args": c["args"], "kwargs": c["kwargs"]} for c in exercise["cases"]]}))
        out.append((exercise["key"], work, exercise))
    return out


def grade_plain(work: Path) -> float:
    start = time.perf_counter()
    env = {"PATH": os.environ["PATH"], "DLC_RESULTS": str(work / "results.jsonl"), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-B", "_dlc_harness.py"], cwd=work, env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - start


def grade_sandboxed(work: Path, exercise: dict, output: Path) -> float:
    start = time.perf_counter()
    limits = Limits(cpu_seconds=exercise["time_limit_s"], wall_seconds=exercise["time_limit_s"] + 3,
                    memory_bytes=exercise["memory_mb"] * 2**20)
    result = run_python(work, "_dlc_harness.py", limits=limits, writable_dir=output)
    assert result.ok, result.message + result.stderr
    return time.perf_counter() - start


def digits_run_dir(base: Path, name: str, data_path: str, epochs: int) -> Path:
    run_dir = base / name
    run_dir.mkdir()
    (run_dir / "model_code.py").write_text(MODEL_CODE)
    (run_dir / "config.json").write_text(json.dumps({
        "run_id": 1, "spec": {"input_shape": [8, 8, 1]}, "model_code": "model_code.py", "num_classes": 10,
        "dataset": {"format": "npz", "path": data_path}, "batch_events_per_second": 4,
        "compile": {"loss": "sparse_categorical_crossentropy", "from_logits": True, "metrics": ["accuracy"]},
        "hyperparameters": {"epochs": epochs, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.001, "seed": 1,
                            "validation_split": 0.2},
    }))
    return run_dir


def train(argv: list[str], env: dict, cwd: Path, preexec=None) -> tuple[float, list[float]]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, preexec_fn=preexec)
    wall = time.perf_counter() - start
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and events and events[-1]["type"] == "done", (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    return wall, [e["duration_s"] for e in events if e["type"] == "epoch" and e.get("duration_s") is not None]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    if (reason := sandbox_available()) is not None:
        print(f"the sandbox is not available here: {reason}")
        return 1
    base = Path(tempfile.mkdtemp(prefix="dlc-bench-sandbox-"))
    os.chmod(base, 0o755)
    try:
        (base / "exercises").mkdir()
        folders = exercise_folders(base / "exercises")
        plain: list[float] = []
        boxed: list[float] = []
        for _round in range(args.rounds):
            for _key, work, exercise in folders:
                plain.append(grade_plain(work))
                output = work.parent / f"{work.name}-out"
                output.mkdir(exist_ok=True)
                boxed.append(grade_sandboxed(work, exercise, output))
        p, b = statistics.median(plain), statistics.median(boxed)
        print(f"code exercises: {len(folders)} reference solutions × {args.rounds} rounds, all cases each")
        print(f"  plain child   median {p * 1000:7.1f} ms per submission")
        print(f"  in sandbox    median {b * 1000:7.1f} ms per submission   ratio {b / p:.2f}×  (+{(b - p) * 1000:.0f} ms)")

        from sklearn.datasets import load_digits
        import numpy as np

        digits = load_digits()
        data_dir = base / "data"
        data_dir.mkdir()
        os.chmod(data_dir, 0o755)
        np.savez(data_dir / "data.npz", x=digits.images.reshape(-1, 8, 8, 1).astype("uint8"), y=digits.target.astype("int64"))
        os.chmod(data_dir / "data.npz", 0o644)
        plain_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "workers"), str(ROOT / "platform")]), "TF_CPP_MIN_LOG_LEVEL": "2"}
        cpus = str(os.cpu_count() or 1)
        walls: dict[str, list[float]] = {"plain": [], "sandbox": []}
        epochs: dict[str, list[float]] = {"plain": [], "sandbox": []}
        for number in range(args.rounds):
            run_dir = digits_run_dir(base, f"plain-{number}", str(data_dir / "data.npz"), args.epochs)
            wall, durations = train([sys.executable, "-m", "trainer", str(run_dir)], plain_env, run_dir)
            walls["plain"].append(wall)
            epochs["plain"] += durations[1:]  # the first epoch includes tracing
            run_dir = digits_run_dir(base, f"sandbox-{number}", "/data/data.npz", args.epochs)
            prepared = sandbox_prepare(
                run_dir, ["-m", "trainer", "/work"],
                limits=Limits(cpu_seconds=3600, wall_seconds=3600, memory_bytes=(2 * 4096 + 2048 + 128 * int(cpus)) * 2**20,
                              file_bytes=2**32, processes=1024, open_files=4096),
                readonly_binds={ROOT / "workers" / "trainer": "/opt/dlc/trainer", ROOT / "platform" / "modelspec": "/opt/dlc/modelspec",
                                data_dir: "/data"},
                env={"PYTHONPATH": "/opt/dlc", "HOME": "/tmp", "KERAS_HOME": "/tmp/.keras", "TF_CPP_MIN_LOG_LEVEL": "2",
                     "OMP_NUM_THREADS": cpus, "TF_NUM_INTRAOP_THREADS": cpus, "TF_NUM_INTEROP_THREADS": "2", "MALLOC_ARENA_MAX": "4"},
                uid=65533)
            try:
                wall, durations = train(prepared.argv, {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, Path("/"), prepared.preexec)
            finally:
                prepared.cleanup()
            walls["sandbox"].append(wall)
            epochs["sandbox"] += durations[1:]
        print(f"Keras-code training: digits (1797 images 8×8), small CNN, {args.epochs} epochs × {args.rounds} rounds")
        for kind in ("plain", "sandbox"):
            print(f"  {kind:8s} child: median wall {statistics.median(walls[kind]):6.2f} s, median epoch (after the first) "
                  f"{statistics.median(epochs[kind]) * 1000:6.0f} ms")
        print(f"  ratio sandbox/plain: wall {statistics.median(walls['sandbox']) / statistics.median(walls['plain']):.2f}×, "
              f"epoch {statistics.median(epochs['sandbox']) / statistics.median(epochs['plain']):.2f}×")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
