from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frenchimpact import demo


class Command(BaseCommand):
    help = (
        "Load the demo data from the programme's texts (wave 1, the Territoire "
        "Lédonien, Juralliance) and one account per role. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Load the programme data only, without the demo accounts.",
        )

    def handle(self, *args, **options):
        with_accounts = not options["no_accounts"]
        if settings.PRODUCTION and with_accounts:
            raise CommandError(
                "Demo accounts are never created under the production profile "
                "(DJANGO_ENV=production); use --no-accounts."
            )
        counts = demo.load_demo(with_accounts=with_accounts)
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        if with_accounts:
            self.stdout.write(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
            for email, _first, _last, role in demo.DEMO_ACCOUNTS:
                self.stdout.write(f"  {role:<10} {email}")
