"""Training through the platform vs plain ``model.fit``, measured side by side in one run.

Starts the real platform (private Redis, Daphne, a Celery worker), then measures:
  (a) wall time per epoch of the flowers model on the bundled "shapes" set: platform run
      (child process with progress, CSV, TensorBoard, checkpoint and backup callbacks) vs the
      same model and data in a plain process; ratio platform / plain (target ≤ 1.05);
  (b) submit → first batch message at a websocket client with a warm worker, vs the plain
      script's cold process start → first batch; ratio;
  (c) epoch end in the training child → receipt by a websocket client: p50 / p95.

Usage: .venv/bin/python bench/bench_training.py [--rounds 4] [--epochs 4] [--latency-epochs 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform"), str(ROOT / "workers")]

import websockets  # noqa: E402

from modelspec import flowers_spec  # noqa: E402
from tests.stack import stack_start, stack_stop  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def epoch_times(ends: list[float], start: float) -> list[float]:
    marks = [start, *ends]
    return [b - a for a, b in zip(marks, marks[1:])]


async def watch(stack, session, run_id: int) -> list[tuple[float, dict]]:
    headers = {"Cookie": stack.cookie_header(session), "Origin": stack.base_url}
    received = []
    async with websockets.connect(f"ws://{stack.host}/ws/runs/{run_id}/", additional_headers=headers, max_size=2**22) as ws:
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 900))
            received.append((time.time(), message))
            if message["type"] == "done":
                return received


def platform_run(stack, session, spec, dataset, epochs, batch_size):
    submitted = time.time()
    response = session.post(f"{stack.base_url}/api/runs/", json={
        "course": "deep-learning-tf", "lab": "flowers-cnn", "dataset": dataset, "spec": spec,
        "hyperparameters": {"epochs": epochs, "batch_size": batch_size, "optimizer": "adam", "learning_rate": 0.001}}, timeout=30)
    response.raise_for_status()
    messages = asyncio.run(watch(stack, session, response.json()["id"]))
    assert messages[-1][1]["status"] == "succeeded", messages[-1][1]
    return submitted, messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--latency-epochs", type=int, default=40)
    args = parser.parse_args()

    print("starting the platform (private Redis, Daphne, Celery worker) …", flush=True)
    stack, cleanups = stack_start(datasets=("shapes", "shapes-mini"))
    try:
        session = stack.login("learner")
        spec = flowers_spec(num_classes=4)  # the notes' model, 180×180×3, four shape classes
        data = stack.data_root / "datasets" / "bundled" / "shapes"
        spec_file = Path(tempfile.mkstemp(suffix=".json")[1])
        spec_file.write_text(json.dumps(spec))

        # Warm the worker's imports and the OS file cache with one short run first.
        platform_run(stack, session, spec, "shapes", 1, 32)

        print(f"(a, b) {args.rounds} rounds × {args.epochs} epochs of the flowers model on 'shapes' "
              "(600 images, 480 for training), plain and platform alternating …", flush=True)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT / "workers")])}
        plain_steady, platform_steady, plain_cold, platform_first = [], [], [], []
        for round_no in range(args.rounds):
            # Alternate the order so neither side always runs on a warmer (or busier) machine.
            for side in (("plain", "platform") if round_no % 2 == 0 else ("platform", "plain")):
                if side == "plain":
                    done = subprocess.run([sys.executable, str(ROOT / "bench" / "plain_fit.py"), "--data", str(data),
                                           "--spec", str(spec_file), "--epochs", str(args.epochs)],
                                          env=env, capture_output=True, text=True, check=True)
                    plain = json.loads(done.stdout.strip().splitlines()[-1])
                    times = epoch_times(plain["epoch_end"], plain["fit_start"])
                    plain_steady += times[1:]  # epoch 1 traces the graph and fills the cache
                    plain_cold.append(plain["first_batch"] - plain["process_start"])
                else:
                    submitted, messages = platform_run(stack, session, spec, "shapes", args.epochs, 32)
                    ends = [m["ts"] for _, m in messages if m["type"] == "epoch"]
                    fit_start = next(m["ts"] for _, m in messages if m["type"] == "train_begin")
                    times = epoch_times(ends, fit_start)
                    platform_steady += times[1:]
                    platform_first.append(next(t for t, m in messages if m["type"] == "batch") - submitted)
                print(f"  round {round_no + 1} {side:<8} epochs (s): {', '.join(f'{t:.2f}' for t in times)}", flush=True)
        # Medians, because single epochs on a shared 2-core machine jump by seconds.
        steady_plain = statistics.median(plain_steady)
        steady_platform = statistics.median(platform_steady)
        submit_to_first_batch = statistics.median(platform_first)
        plain_cold_median = statistics.median(plain_cold)

        print(f"(c) {args.latency_epochs} short epochs on 'shapes-mini' for epoch-end → websocket latency …", flush=True)
        small = flowers_spec(num_classes=3, image_size=(32, 32))
        _, quick = platform_run(stack, session, small, "shapes-mini", args.latency_epochs, 16)
        latencies = [(received - m["ts"]) * 1000 for received, m in quick if m["type"] == "epoch" and m.get("ts")]

        report = {
            "rounds": args.rounds,
            "epochs_per_run": args.epochs,
            "plain_steady_epoch_s": [round(x, 3) for x in plain_steady],
            "platform_steady_epoch_s": [round(x, 3) for x in platform_steady],
            "steady_epoch_plain_s": round(steady_plain, 3),
            "steady_epoch_platform_s": round(steady_platform, 3),
            "epoch_ratio_platform_over_plain": round(steady_platform / steady_plain, 3),
            # This machine's epochs are bimodal (~10 s or ~20 s, whichever side runs): the noise only
            # ever adds time, so the fastest epochs are the best estimate of the real overhead.
            "epoch_ratio_p25": round(percentile(platform_steady, 25) / percentile(plain_steady, 25), 3),
            "epoch_ratio_min": round(min(platform_steady) / min(plain_steady), 3),
            "submit_to_first_batch_s": round(submit_to_first_batch, 3),
            "plain_cold_start_to_first_batch_s": round(plain_cold_median, 3),
            "first_batch_ratio_platform_over_plain": round(submit_to_first_batch / plain_cold_median, 3),
            "epoch_to_ws_latency_ms_p50": round(percentile(latencies, 50), 1),
            "epoch_to_ws_latency_ms_p95": round(percentile(latencies, 95), 1),
            "latency_samples": len(latencies),
        }
        print(json.dumps(report, indent=2))
        print(f"\n(a) epoch wall time, median of epochs 2..N over all rounds: platform {steady_platform:.3f} s vs plain {steady_plain:.3f} s "
              f"→ ratio {steady_platform / steady_plain:.3f}; lower quartile {report['epoch_ratio_p25']}, "
              f"fastest epochs {report['epoch_ratio_min']} (target ≤ 1.05)")
        print(f"(b) submit → first batch at the browser {submit_to_first_batch:.2f} s vs plain cold start → first batch "
              f"{plain_cold_median:.2f} s → ratio {submit_to_first_batch / plain_cold_median:.2f} (medians over {args.rounds} runs each)")
        print(f"(c) epoch end → websocket client: p50 {report['epoch_to_ws_latency_ms_p50']} ms, "
              f"p95 {report['epoch_to_ws_latency_ms_p95']} ms over {len(latencies)} epochs")
    finally:
        stack_stop(stack, cleanups)


if __name__ == "__main__":
    main()
