"""Every training lab of the course, end to end at CI size (1–2 epochs) through the real worker,
and the questions a learner can ask a finished model (prediction, feature maps)."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

pytestmark = pytest.mark.integration

# lab slug → (data set, hyper-parameter overrides, what the finished run must show)
LABS = {
    "linear-regression": ("linear-synthetic", {"epochs": 2, "batch_size": 64, "learning_rate": 0.02}, ("w", "b")),
    "softmax-digits": ("digits", {"epochs": 1, "batch_size": 64}, ("accuracy", "val_accuracy")),
    "mlp-digits": ("digits-28", {"epochs": 1, "batch_size": 64, "normalize": True}, ("accuracy", "val_accuracy")),
    "wide-deep-diabetes": ("diabetes", {"epochs": 2, "batch_size": 64}, ("mae", "val_mae")),
    "lenet5-digits": ("digits-28", {"epochs": 1, "batch_size": 128}, ("accuracy", "val_accuracy")),
    "alexnet-hanzi": ("hanzi-fonts", {"epochs": 1, "batch_size": 32}, ("accuracy", "val_accuracy")),
}


def lab_config(stack, session, slug: str) -> dict:
    """The lab as the browser gets it: its page embeds the model and the default hyper-parameters."""
    import json
    import re

    html = session.get(f"{stack.base_url}/courses/deep-learning-tf/labs/{slug}/", timeout=10).text
    match = re.search(r'<script id="(?:builder|lab)-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"lab page of {slug} has no config"
    return json.loads(match.group(1))


def run_to_end(stack, session, run_id: int, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = session.get(f"{stack.base_url}/api/runs/{run_id}/", timeout=10).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(1)
    raise AssertionError(f"run {run_id} did not finish\n{stack.log_tail('worker')}")


def submit_lab(stack, session, slug: str) -> dict:
    dataset, overrides, _keys = LABS[slug]
    config = lab_config(stack, session, slug)
    body = {"course": "deep-learning-tf", "lab": slug, "dataset": dataset,
            "hyperparameters": {**{k: v for k, v in config["hyperparameters"].items()}, **overrides}}
    if config.get("spec"):
        body["spec"] = config["spec"]
    response = session.post(f"{stack.base_url}/api/runs/", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return run_to_end(stack, session, response.json()["id"])


@pytest.mark.parametrize("slug", sorted(LABS))
def test_each_lab_trains_end_to_end_through_the_worker(stack, slug):
    session = stack.login("learner")
    run = submit_lab(stack, session, slug)
    assert run["status"] == "succeeded", (run["status_reason"], run["log_tail"][-20:])
    _dataset, overrides, keys = LABS[slug]
    assert len(run["epochs"]) == overrides["epochs"]
    assert set(keys) <= set(run["epochs"][-1]["metrics"])
    assert run["charts"][1] == list(keys) and run["target"]["best"] is not None
    insight = session.get(f"{stack.base_url}/api/runs/{run['id']}/insight/", timeout=10).json()
    names = {d["name"] for d in insight["downloads"]}
    assert {"history.csv", "tensorboard.zip"} <= names
    if slug == "linear-regression":
        assert set(insight["linear"]) >= {"w", "b", "points"}
    elif slug == "wide-deep-diabetes":
        assert insight["regression"]["val_items"] > 0 and "best.keras" in names
    else:
        assert "model.keras" in names and len(insight["confusion_matrix"]) == len(insight["class_names"])
        assert insight["weights"][0]["epoch"] == 0 and len(insight["weights"]) == overrides["epochs"] + 1
        if slug == "softmax-digits":
            assert len(insight["templates"]) == 10
            template = session.get(stack.base_url + insight["templates"][3]["url"], timeout=10)
            assert template.status_code == 200 and template.headers["Content-Type"] == "image/png"


def test_a_finished_model_answers_a_prediction_and_shows_feature_maps_only_to_those_allowed(stack):
    session = stack.login("learner")
    run = submit_lab(stack, session, "lenet5-digits")
    assert run["status"] == "succeeded", run["status_reason"]
    buffer = io.BytesIO()
    Image.new("L", (40, 40), 0).save(buffer, format="PNG")
    response = session.post(f"{stack.base_url}/api/runs/{run['id']}/inferences/", data={"kind": "predict"},
                            files={"image": ("digit.png", buffer.getvalue(), "image/png")}, timeout=10)
    assert response.status_code == 202, response.text
    prediction = wait_job(stack, session, response.json()["id"])
    assert prediction["status"] == "succeeded", prediction["error"]
    assert [c["name"] for c in prediction["result"]["classes"]] == [str(d) for d in range(10)]

    response = session.post(f"{stack.base_url}/api/runs/{run['id']}/inferences/", json={"kind": "feature_maps", "layer": 2, "sample": 0}, timeout=10)
    maps = wait_job(stack, session, response.json()["id"])
    assert maps["status"] == "succeeded", maps["error"]
    assert maps["result"]["shape"] == [28, 28, 6] and len(maps["result"]["channels"]) == 6
    assert session.get(stack.base_url + maps["result"]["channels"][0]["url"], timeout=10).headers["Content-Type"] == "image/png"

    other = stack.login("learner2")
    assert other.get(f"{stack.base_url}/api/inferences/{maps['id']}/", timeout=10).status_code == 404
    assert other.get(stack.base_url + maps["result"]["channels"][0]["url"], timeout=10).status_code == 404
    assert other.get(f"{stack.base_url}/runs/{run['id']}/download/model.keras", timeout=10).status_code == 404


def wait_job(stack, session, job_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = session.get(f"{stack.base_url}/api/inferences/{job_id}/", timeout=10).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"inference {job_id} did not finish\n{stack.log_tail('worker')}")


def test_parallel_search_submissions_by_one_learner_never_exceed_the_active_run_limit(stack):
    """Five searches of 4 trials each sent at the same moment over HTTP; the limit is 16 waiting
    or training runs, so at most four searches may be accepted (the server serialises the check)."""
    from concurrent.futures import ThreadPoolExecutor

    session = stack.login("learner2")
    body = {"course": "deep-learning-tf", "lab": "hp-search-digits", "dataset": "digits-28",
            "hyperparameters": {"epochs": 1, "batch_size": 64, "optimizer": "adam"},
            "search": {"method": "grid", "learning_rates": [0.001, 0.01], "hidden_layers": [1, 2], "units": [16]}}
    active_before = sum(r["status"] in ("queued", "running") for r in session.get(f"{stack.base_url}/api/runs/", timeout=10).json())
    assert active_before == 0
    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(lambda _i: session.post(f"{stack.base_url}/api/runs/", json=body, timeout=30, headers={"Accept-Language": "en"}), range(5)))
    try:
        accepted = [r.json() for r in responses if r.status_code == 201]
        refused = [r.json() for r in responses if r.status_code == 400]
        assert len(accepted) == 4 and len(refused) == 1, [r.status_code for r in responses]
        assert "would exceed your limit of 16" in refused[0]["detail"]
    finally:
        for search in [r.json() for r in responses if r.status_code == 201]:
            session.post(f"{stack.base_url}/api/runs/{search['id']}/cancel/", timeout=10)
    for search in accepted:
        detail = session.get(f"{stack.base_url}/api/runs/{search['id']}/", timeout=10).json()
        assert len(detail["trials"]) == 4


def test_a_search_fans_out_into_trials_that_train_and_the_best_is_marked(stack):
    session = stack.login("learner")
    response = session.post(f"{stack.base_url}/api/runs/", json={
        "course": "deep-learning-tf", "lab": "hp-search-digits", "dataset": "digits-28",
        "hyperparameters": {"epochs": 1, "batch_size": 128, "optimizer": "adam"},
        "search": {"method": "random", "learning_rates": [0.001, 0.01], "hidden_layers": [1], "units": [16, 32], "trials": 2, "seed": 1},
    }, timeout=10)
    assert response.status_code == 201, response.text
    search = run_to_end(stack, session, response.json()["id"], timeout=300)
    assert search["status"] == "succeeded", search["status_reason"]
    assert len(search["trials"]) == 2 and all(t["status"] == "succeeded" for t in search["trials"])
    best = [t for t in search["trials"] if t["best"]]
    assert len(best) == 1 and search["final_metrics"]["best_val_accuracy"] == best[0]["best_val_accuracy"]
    page = session.get(f"{stack.base_url}/runs/{search['id']}/", timeout=10)
    assert page.status_code == 200 and 'data-testid="trial-rows"' in page.text
