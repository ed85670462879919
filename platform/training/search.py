"""Hyper-parameter search (writes): one submission becomes a parent run and one child run per
trial (grid or random over learning rate, hidden layers and units). Children are ordinary runs,
queued, trained and reported like any other; the parent only collects their results."""

from __future__ import annotations

import itertools
import math
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courseware.models import Lab
from datasets.selectors import dataset_get_for_lab
from dlclassroom.jobs import in_platform_language
from modelspec import spec_check, spec_normalize

from .models import EpochMetric, Run
from .services import SubmitError, _error, hyperparameters_validate, run_enqueue, run_publish, run_quota_check, run_resources, run_snapshot_take

SEARCH_PROGRAM = "hp_search"
METHODS = ("grid", "random")


def search_limits() -> dict:
    return {"max_trials": int(settings.TRAINING.get("MAX_SEARCH_TRIALS", 12)), "max_active_runs": int(settings.TRAINING.get("MAX_ACTIVE_RUNS", 16))}


def _numbers(raw, name: str, low: float, high: float, *, integer: bool, errors: list) -> list:
    kind = _("whole numbers") if integer else _("numbers")
    ok = isinstance(raw, list) and 1 <= len(raw) <= 6 and all(
        not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) and low <= v <= high and (not integer or float(v).is_integer())
        for v in raw
    )
    if not ok:
        errors.append(_error(name, _("%(name)s must be a list of 1 to 6 %(kind)s from %(low)s to %(high)s.") % {"name": name, "kind": kind, "low": low, "high": high}))
        return []
    values = sorted({int(v) if integer else float(v) for v in raw})
    return values


def search_validate(raw) -> tuple[dict, list[dict]]:
    """Check a search request: method, the values to try, and (random) the number of trials."""
    errors: list[dict] = []
    if not isinstance(raw, dict):
        return {}, [_error("search", _("The search must be an object with method, learning_rates, hidden_layers and units."))]
    unknown = sorted(set(raw) - {"method", "learning_rates", "hidden_layers", "units", "trials", "seed"})
    if unknown:
        errors.append(_error("search", _("Unknown search field(s): %(names)s.") % {"names": ", ".join(map(str, unknown))[:200]}))
    method = raw.get("method")
    if method not in METHODS:
        errors.append(_error("method", _("method must be grid or random.")))
    search = {
        "method": method,
        "learning_rates": _numbers(raw.get("learning_rates"), "learning_rates", 1e-5, 1.0, integer=False, errors=errors),
        "hidden_layers": _numbers(raw.get("hidden_layers"), "hidden_layers", 1, 4, integer=True, errors=errors),
        "units": _numbers(raw.get("units"), "units", 4, 1024, integer=True, errors=errors),
        "seed": raw.get("seed", 0) if isinstance(raw.get("seed", 0), int) and not isinstance(raw.get("seed", 0), bool) else 0,
    }
    limit = search_limits()["max_trials"]
    if method == "random":
        trials = raw.get("trials")
        if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= limit:
            errors.append(_error("trials", _("trials must be a whole number from 1 to %(limit)d.") % {"limit": limit}))
        search["trials"] = trials
    elif method == "grid" and not errors:
        size = len(search["learning_rates"]) * len(search["hidden_layers"]) * len(search["units"])
        if size > limit:
            errors.append(_error("search", _("This grid has %(size)d combinations; a search may run at most %(limit)d trials. Remove some values or use random search.") % {"size": size, "limit": limit}))
    return search, errors


def search_trials_plan(search: dict) -> list[dict]:
    """The trials to run. Grid: every combination. Random: distinct draws (seeded), the learning
    rate log-uniform between the smallest and largest value given, layers and units from the lists."""
    if search["method"] == "grid":
        return [{"learning_rate": lr, "hidden_layers": layers, "units": units}
                for lr, layers, units in itertools.product(search["learning_rates"], search["hidden_layers"], search["units"])]
    rng = random.Random(search.get("seed", 0))
    low, high = math.log10(min(search["learning_rates"])), math.log10(max(search["learning_rates"]))
    plan: list[dict] = []
    for _attempt in range(search["trials"] * 20):
        trial = {"learning_rate": float(f"{10 ** rng.uniform(low, high):.3g}"),
                 "hidden_layers": rng.choice(search["hidden_layers"]), "units": rng.choice(search["units"])}
        if trial not in plan:
            plan.append(trial)
        if len(plan) == search["trials"]:
            break
    return plan


def search_trial_spec(input_shape: list[int], num_classes: int, hidden_layers: int, units: int) -> dict:
    """The MLP each trial trains: pixels scaled to 0–1, flattened, hidden Dense layers, softmax."""
    layers = [{"type": "Rescaling", "args": {"scale": 1 / 255}}, {"type": "Flatten", "args": {}}]
    layers += [{"type": "Dense", "args": {"units": units, "activation": "relu"}} for _ in range(hidden_layers)]
    layers.append({"type": "Dense", "args": {"units": num_classes, "activation": "softmax"}})
    return {"input_shape": list(input_shape), "layers": layers}


def _active_runs(user) -> int:
    return Run.objects.filter(owner=user, status__in=(Run.Status.QUEUED, Run.Status.RUNNING)).exclude(program=SEARCH_PROGRAM).count()


def search_submit(*, user, lab: Lab, dataset_slug, hyperparameters, search) -> Run:
    """Validate, then create the parent and its trial runs in one transaction, and queue the trials
    after commit. The learner's waiting-or-training runs may not exceed the active-run limit; the
    user row is locked while counting, so parallel submissions cannot both slip under it."""
    errors: list[dict] = []
    dataset = dataset_get_for_lab(lab, user, dataset_slug) if isinstance(dataset_slug, str) else None
    if dataset is None:
        errors.append(_error("dataset", _("Choose one of this lab's data sets.")))
    raw_hp = dict(hyperparameters) if isinstance(hyperparameters, dict) else hyperparameters
    if isinstance(raw_hp, dict):
        raw_hp.setdefault("learning_rate", lab.hyperparameters.get("learning_rate", 0.01))  # each trial sets its own
    hp, hp_errors = hyperparameters_validate(raw_hp, lab)
    errors += hp_errors
    search, search_errors = search_validate(search)
    errors += search_errors
    if errors:
        raise SubmitError(errors)
    plan = search_trials_plan(search)
    input_shape = lab.options.get("input_shape") or list(dataset.item_shape)
    specs = [search_trial_spec(input_shape, dataset.num_classes, t["hidden_layers"], t["units"]) for t in plan]
    reports = [spec_check(spec, num_classes=dataset.num_classes) for spec in specs]
    for trial, report in zip(plan, reports):
        if not report.valid:
            raise SubmitError([_error("search", _("Trial %(trial)s does not fit the data: %(reason)s") % {"trial": trial, "reason": report.errors[0].message})])
    limit = search_limits()["max_active_runs"]
    snapshot = run_snapshot_take(dataset)
    with transaction.atomic():
        # Locks the user's row too, so the count below cannot race another submission.
        resources = run_resources(lab, run_quota_check(user, lab, dataset, hp))
        active = _active_runs(user)
        if active + len(plan) > limit:
            raise SubmitError([_error("search", _("You have %(active)d runs waiting or training; %(trials)d more would exceed your limit of %(limit)d. Wait for some to finish or plan fewer trials.") % {"active": active, "trials": len(plan), "limit": limit})])
        common = {"owner": user, "course": lab.course, "lab": lab, "dataset": dataset, "snapshot": snapshot,
                  "compile_config": lab.compile_config, "resources": resources}
        parent = Run.objects.create(program=SEARCH_PROGRAM, options={"search": search, "trials": plan}, spec={}, hyperparameters=hp, **common)
        trials = [
            Run.objects.create(parent=parent, program="keras_spec", options={"trial": index + 1}, spec=spec_normalize(spec),
                               hyperparameters={**hp, "learning_rate": trial["learning_rate"]}, total_params=report.total_params, **common)
            for index, (trial, spec, report) in enumerate(zip(plan, specs, reports))
        ]
        transaction.on_commit(lambda: [run_enqueue(t) for t in trials])
    return parent


@in_platform_language
def search_refresh(parent_id: int) -> None:
    """Bring the parent's status in line with its trials: running once one has started; when all
    have ended, succeeded (the best trial's metrics) or failed if none succeeded."""
    parent = Run.objects.filter(pk=parent_id, program=SEARCH_PROGRAM).first()
    if parent is None or parent.is_finished:
        return
    statuses = list(parent.trials.values_list("status", flat=True))
    if any(s not in Run.FINISHED for s in statuses):
        if parent.status == Run.Status.QUEUED and any(s != Run.Status.QUEUED for s in statuses):
            Run.objects.filter(pk=parent_id, status=Run.Status.QUEUED).update(status=Run.Status.RUNNING, started_at=timezone.now())
            run_publish(parent_id, {"type": "status", "status": Run.Status.RUNNING, "reason": ""})
        return
    best = search_best_trial(parent)
    if best is not None:
        status, reason = Run.Status.SUCCEEDED, ""
        final = {**best["metrics"], "best_trial": best["trial"]}
    elif all(s == Run.Status.CANCELLED for s in statuses):
        status, reason, final = Run.Status.CANCELLED, _("Cancelled by the learner."), {}
    else:
        status, reason, final = Run.Status.FAILED, _("No trial finished successfully."), {}
    if Run.objects.filter(pk=parent_id, status__in=(Run.Status.QUEUED, Run.Status.RUNNING)).update(
            status=status, status_reason=reason, final_metrics=final, finished_at=timezone.now()):
        run_publish(parent_id, {"type": "done", "status": status, "reason": reason, "final_metrics": final, "model_summary": ""})


def search_best_trial(parent: Run) -> dict | None:
    """The succeeded trial with the highest validation accuracy of any of its epochs."""
    best = None
    for trial in parent.trials.filter(status=Run.Status.SUCCEEDED):
        values = [m.metrics.get("val_accuracy") for m in EpochMetric.objects.filter(run=trial)]
        values = [v for v in values if isinstance(v, (int, float))]
        if values and (best is None or max(values) > best["metrics"]["best_val_accuracy"]):
            best = {"trial": trial.options.get("trial"), "run": trial.pk, "metrics": {"best_val_accuracy": max(values)}}
    return best


@in_platform_language
def search_cancel(parent: Run) -> str:
    from .services import run_cancel

    for trial in parent.trials.exclude(status__in=Run.FINISHED):
        run_cancel(trial)
    search_refresh(parent.pk)
    parent.refresh_from_db()
    return parent.status
