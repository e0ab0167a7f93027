"""Recompute the hash chain of the ledger: ``manage.py verify_ledger``.

Prints « N entrées, chaîne intacte » and exits 0, or names the first broken
link and exits 1."""

from django.core.management.base import BaseCommand, CommandError

from frenchimpact import ledger


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du registre des décisions."

    def handle(self, *args, **options):
        result = ledger.verify()
        if not result.intact:
            raise CommandError(
                f"Chaîne rompue à l'entrée n° {result.broken_at} "
                f"({result.reason}) ; {result.count} entrées intactes avant elle.",
                returncode=1,
            )
        self.stdout.write(f"{result.count} entrées, chaîne intacte.")
