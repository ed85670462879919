from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courseware.services import figures_build_all
from lessonfigures.build import FigureBuildError
from lessonfigures.style import FontMissing


class Command(BaseCommand):
    help = "Draw the lesson figures into MEDIA_ROOT/figures (skips those already up to date)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="figure names (default: all)")
        parser.add_argument("--force", action="store_true", help="redraw even if up to date")

    def handle(self, *args, names=None, force=False, **options):
        def progress(result):
            if result.status == "failed":
                self.stderr.write(f"  figure {result.name}: FAILED {result.error}")
            elif result.status == "built" and options["verbosity"] > 1:
                self.stdout.write(f"  figure {result.name}: {result.width}×{result.height} in {result.seconds:.1f} s")

        try:
            results = figures_build_all(names=names or None, force=force, progress=progress)
        except (FigureBuildError, FontMissing) as exc:
            raise CommandError(str(exc)) from exc
        counts = {status: sum(r.status == status for r in results) for status in ("built", "current", "failed")}
        self.stdout.write(
            f"figures in {settings.MEDIA_ROOT / 'figures'}: {counts['built']} drawn, {counts['current']} up to date, {counts['failed']} failed"
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} figure(s) failed to draw")
