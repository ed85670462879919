#!/usr/bin/env python
"""Django's command-line utility for DL Classroom."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# platform/ and workers/ are source roots, not packages: a package named "platform" would
# shadow the standard library module that uuid, redis, Celery and TensorFlow import.
for source_root in (ROOT / "workers", ROOT / "platform"):
    if str(source_root) not in sys.path:
        sys.path.insert(0, str(source_root))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlclassroom.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
