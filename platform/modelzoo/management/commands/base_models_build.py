from django.core.management.base import BaseCommand, CommandError

from modelzoo.services import PLATFORM_BASES, base_model_pretrain, base_model_queue, platform_base_get


class Command(BaseCommand):
    help = ("Pre-train the platform's base networks for the transfer-learning lab, in a child process "
            "(skips a base that is ready). --background hands it to a Celery worker instead.")

    def add_arguments(self, parser):
        parser.add_argument("--slug", action="append", help="the base to build (default: all of the platform's bases)")
        parser.add_argument("--force", action="store_true", help="pre-train again even if ready")
        parser.add_argument("--background", action="store_true", help="queue the Celery task and return at once")
        # A tiny base for tests: another (small) data set, fewer epochs, fewer images per class.
        parser.add_argument("--dataset", help="pre-train on this data set instead of the recipe's")
        parser.add_argument("--epochs", type=int)
        parser.add_argument("--max-per-class", type=int)

    def handle(self, *args, slug=None, force=False, background=False, dataset=None, epochs=None, max_per_class=None, **options):
        slugs = slug or [spec.slug for spec in PLATFORM_BASES]
        for name in slugs:
            if platform_base_get(name) is None:
                raise CommandError(f"unknown platform base {name!r} (known: {', '.join(s.slug for s in PLATFORM_BASES)})")
        failed = []
        for name in slugs:
            if background:
                base = base_model_queue(name, force=force)
                self.stdout.write(f"{name}: {base.status} ({base.message})")
                continue
            base = base_model_pretrain(name, force=force, dataset_slug=dataset, epochs=epochs, max_per_class=max_per_class)
            if base is None:
                self.stdout.write(f"{name}: being pre-trained by another process; nothing to do")
                continue
            self.stdout.write(f"{name}: {base.status}, {base.total_params} parameters, {base.num_layers} layers — {base.message}")
            if base.status == base.Status.FAILED:
                failed.append(name)
        if failed:
            raise CommandError(f"pre-training failed: {', '.join(failed)}")
