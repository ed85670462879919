from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courseware.content import ContentError
from courseware.services import course_load


class Command(BaseCommand):
    help = "Load or reload course content files (idempotent). Default: every course under courses/."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="course folders (containing course.yaml)")

    def handle(self, *args, **options):
        root = Path(settings.COURSE_CONTENT_ROOT)
        paths = [Path(p) for p in options["paths"]] or sorted(p.parent for p in root.glob("*/course.yaml"))
        if not paths:
            raise CommandError(f"no course.yaml found under {root}")
        for path in paths:
            try:
                report = course_load(path)
            except ContentError as exc:
                raise CommandError(f"content error: {exc}") from exc
            self.stdout.write(
                f"loaded {report.course.slug}: {report.chapters} chapters, {report.pages} pages, "
                f"{report.questions} questions, {report.code_exercises} code exercises, {report.labs} labs"
                + (f"; removed {', '.join(report.removed)}" if report.removed else "")
            )
