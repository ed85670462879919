from django.core.management.base import BaseCommand

from datasets.services import datasets_bootstrap


class Command(BaseCommand):
    help = "Generate the bundled offline data sets (deterministic; skips sets that already exist)."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="slugs to build (default: all)")
        parser.add_argument("--force", action="store_true", help="rebuild even if present")

    def handle(self, *args, only=None, force=False, **options):
        for dataset, built in datasets_bootstrap(only=only, force=force):
            state = "built" if built else "present"
            self.stdout.write(f"{dataset.slug}: {state}, {dataset.num_items} items, {dataset.num_classes} classes")
