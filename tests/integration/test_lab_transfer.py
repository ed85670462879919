"""Chapter 9's transfer lab end to end: a tiny base pre-trained through the platform's command,
then each strategy trains one epoch through the real worker and says what it trained."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_labs import lab_config, run_to_end

pytestmark = pytest.mark.integration

# The platform's base: 4 blocks of Conv (no bias) + BN, 16/32/64/128 filters, on 64×64×3.
CONVS = [3 * 9 * 16, 16 * 9 * 32, 32 * 9 * 64, 64 * 9 * 128]
BN = 4 * (16 + 32 + 64 + 128)  # gamma, beta, moving mean, moving variance: never trained here
HEAD = 128 * 2 + 2  # GAP (128) → Dense(2): Kaiti or Mingti
EXPECTED = {  # strategy: (trainable, non-trainable)
    "head": (HEAD, sum(CONVS) + BN),
    "last_n": (CONVS[-1] + HEAD, sum(CONVS[:-1]) + BN),  # N = 4: the last block
    "all": (sum(CONVS) + HEAD, BN),
}


def submit(stack, session, strategy: str):
    config = lab_config(stack, session, "transfer-learning")
    body = {"course": "deep-learning-tf", "lab": "transfer-learning", "dataset": "hanzi-fonts",
            "hyperparameters": {**config["hyperparameters"], "epochs": 1, "batch_size": 32, "strategy": strategy, "trainable_layers": 4}}
    # English answers, so the refusal below can be read; the platform's default language is Chinese.
    return session.post(f"{stack.base_url}/api/runs/", json=body, timeout=10, headers={"Accept-Language": "en"})


@pytest.fixture(scope="module")
def tiny_base(stack):
    """Before the base exists a run is refused; then a 1-epoch base on a few shapes-mini images."""
    refused = submit(stack, stack.login("learner"), "head")
    assert refused.status_code == 400 and "The base model shapes-cnn is not installed" in refused.text
    out = stack.manage("base_models_build", "--slug", "shapes-cnn", "--dataset", "shapes-mini", "--epochs", "1", "--max-per-class", "6")
    assert "shapes-cnn: ready, 98160 parameters, 16 layers" in out, out
    weights = stack.data_root / "models" / "shapes-cnn.keras"
    before = weights.stat().st_mtime_ns
    again = stack.manage("base_models_build")
    assert "shapes-cnn: ready" in again and weights.stat().st_mtime_ns == before  # idempotent: kept, not trained again


def count(summary: str, label: str) -> int:
    return int(re.search(rf"^{label}: ([\d,]+)$", summary, re.M).group(1).replace(",", ""))


@pytest.mark.parametrize("strategy", ["head", "last_n", "all"])
def test_each_strategy_trains_one_epoch_through_the_worker_and_reports_what_it_trained(stack, tiny_base, strategy):
    session = stack.login("learner")
    response = submit(stack, session, strategy)
    assert response.status_code == 201, response.text
    run = run_to_end(stack, session, response.json()["id"])
    assert run["status"] == "succeeded", (run["status_reason"], run["log_tail"][-20:])
    assert len(run["epochs"]) == 1 and {"accuracy", "val_accuracy"} <= set(run["epochs"][0]["metrics"])
    trainable, frozen = EXPECTED[strategy]
    summary = run["model_summary"]
    assert (count(summary, "Trainable params"), count(summary, "Non-trainable params")) == (trainable, frozen), summary[:600]
    assert run["total_params"] == trainable + frozen == 98160 + HEAD
    insight = session.get(f"{stack.base_url}/api/runs/{run['id']}/insight/", timeout=10).json()
    assert insight["transfer"]["strategy"] == strategy and insight["class_names"] == ["kaiti", "mingti"]
    assert "model.keras" in {d["name"] for d in insight["downloads"]}
