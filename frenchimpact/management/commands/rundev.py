"""Run the portal on a newcomer's machine: a real Celery worker (with beat) on
the embedded broker, and Django's development server, in one command."""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start a Celery worker with beat, then the development server."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        # the embedded broker's folders are made by the settings
        (settings.VAR_DIR / "log").mkdir(parents=True, exist_ok=True)
        worker = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "frenchimpact",
                "worker",
                "--beat",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
                "--logfile",
                str(settings.VAR_DIR / "log" / "celery.log"),
            ]
        )
        self.stdout.write(
            f"Celery worker started (pid {worker.pid}, broker "
            f"{settings.CELERY_BROKER_URL}, log var/log/celery.log)."
        )
        self.stdout.write(f"Portal: http://{addrport}/  (Ctrl+C stops both)")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
