"""The training programs a lab can use, as the platform (not the trainer) needs to know them:
which data formats each accepts, whether it is built with the model builder, what its run
page plots. The trainer's implementations live in ``workers/trainer``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProgramInfo:
    name: str
    formats: tuple[str, ...]
    uses_builder: bool
    # Pairs of metric keys plotted together on the run page (train, validation) — or two
    # parameters, like w and b of the linear regression.
    charts: tuple[tuple[str, ...], ...]
    classifies: bool


PROGRAMS: dict[str, ProgramInfo] = {
    "keras_spec": ProgramInfo("keras_spec", ("image_folder", "npz"), True, (("loss", "val_loss"), ("accuracy", "val_accuracy")), True),
    "linear_tape": ProgramInfo("linear_tape", ("tabular",), False, (("loss", "val_loss"), ("w", "b")), False),
    "wide_deep": ProgramInfo("wide_deep", ("tabular",), False, (("loss", "val_loss"), ("mae", "val_mae")), False),
    "transfer": ProgramInfo("transfer", ("image_folder",), False, (("loss", "val_loss"), ("accuracy", "val_accuracy")), True),
    "detection_lite": ProgramInfo("detection_lite", ("voc",), False, (("loss", "val_loss"), ("iou", "val_iou")), False),
    # A search is not trained itself: its trials are keras_spec runs (see training.search).
    "hp_search": ProgramInfo("hp_search", ("image_folder", "npz"), False, (("loss", "val_loss"), ("accuracy", "val_accuracy")), False),
}
DEFAULT_PROGRAM = "keras_spec"


def program_info(name: str) -> ProgramInfo:
    return PROGRAMS.get(name) or PROGRAMS[DEFAULT_PROGRAM]
