"""The per-epoch checkpoint, written so that a kill at any instant leaves a loadable one.

Keras' ``BackupAndRestore`` overwrites ``latest.weights.h5`` in place: a worker killed while
that file is being written (SIGKILL, OOM killer, a lost node) leaves a truncated HDF5 file, and
the resumed run then fails with "bad object header version number" instead of resuming. Here
both files are written beside the real ones and moved over them with ``os.replace`` (atomic on
POSIX), and a checkpoint that still cannot be read makes the run start again from epoch 0 with a
log line rather than fail.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

WEIGHTS = "latest.weights.h5"
METADATA = "training_metadata.json"


def _fsync_replace(tmp: Path, final: Path) -> None:
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, final)


def atomic_backup_make(keras, backup_dir: Path, log: Callable[[str], None] | None = None):
    """A BackupAndRestore whose saves are atomic and whose restore survives a broken file."""

    class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
        def _save_model(self) -> None:
            folder = Path(self.backup_dir)
            folder.mkdir(parents=True, exist_ok=True)
            # save_weights insists on the .weights.h5 suffix, hence the prefix for the temporary.
            tmp_weights = folder / f".partial.{WEIGHTS}"
            tmp_meta = folder / f".partial.{METADATA}"
            self.model.save_weights(filepath=str(tmp_weights), overwrite=True)
            tmp_meta.write_text(json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen}), encoding="utf-8")
            # Weights first: a kill between the two moves leaves new weights with the previous
            # epoch number, so that epoch is trained once more — never a gap, never a crash.
            _fsync_replace(tmp_weights, folder / WEIGHTS)
            _fsync_replace(tmp_meta, folder / METADATA)

        def on_train_begin(self, logs=None) -> None:
            try:
                self._load_model()
            except (OSError, ValueError, KeyError) as exc:
                folder = Path(self.backup_dir)
                for name in (WEIGHTS, METADATA):
                    (folder / name).unlink(missing_ok=True)
                self.model._initial_epoch = 0
                if log is not None:
                    log(f"the last checkpoint could not be read ({type(exc).__name__}: {str(exc)[:200]}); training starts again from epoch 1")

    return AtomicBackupAndRestore(backup_dir=str(backup_dir), delete_checkpoint=False)
