from django.core.management.base import BaseCommand

from ops.services import platform_bootstrap


class Command(BaseCommand):
    help = "Prepare the platform: migrate, static files, bundled data, course, demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--datasets", nargs="*", help="bundled data set slugs to build (default: all)")
        parser.add_argument("--demo-password", help="one password for all demo accounts (default: random each)")
        parser.add_argument("--no-figures", action="store_true", help="skip drawing the lesson figures")

    def handle(self, *args, datasets=None, demo_password=None, no_figures=False, **options):
        passwords = platform_bootstrap(datasets=datasets, demo_password=demo_password, figures=False if no_figures else None, stdout=self.stdout)
        for username, password in passwords.items():
            self.stdout.write(f"  {username:<11} {password}")
