"""Antivirus backends, chosen by the ``ANTIVIRUS_BACKEND`` setting (a dotted
path). A backend has ``scan(stream) -> ScanResult`` and says whether it
answers at once (``synchronous``: the verdict is given at upload time) or
needs the network (scanned by a Celery task after the commit).

- ``ClamdScanner``: ClamAV's daemon over TCP (INSTREAM), for production.
- ``NoScanner``: local development without ClamAV; it scans nothing and says
  so: files are marked « non analysé », never « sain ». Refused when DEBUG is
  off (``check --deploy`` warns too).
"""

import dataclasses
import socket
import struct

from django.conf import settings
from django.utils.module_loading import import_string

from .enums import ScanStatus

CHUNK = 64 * 1024


class ScanError(Exception):
    """The scanner could not give a verdict (transient: retried)."""


@dataclasses.dataclass(frozen=True)
class ScanResult:
    status: str  # a ScanStatus: CLEAN, INFECTED or UNSCANNED
    detail: str = ""


class ClamdScanner:
    """ClamAV's clamd over TCP, with its INSTREAM command: the file is sent in
    chunks, each prefixed by its length (4 bytes, big-endian), ended by an
    empty chunk; clamd answers ``stream: OK`` or ``stream: <name> FOUND``."""

    synchronous = False

    def __init__(self, host=None, port=None, timeout=None):
        self.host = host or settings.CLAMD_HOST
        self.port = port or settings.CLAMD_PORT
        self.timeout = timeout or settings.CLAMD_TIMEOUT

    def scan(self, stream) -> ScanResult:
        try:
            with socket.create_connection(
                (self.host, self.port), timeout=self.timeout
            ) as sock:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    data = sock.recv(4096)
                    if not data:
                        break
                    reply += data
        except OSError as error:
            raise ScanError(f"clamd unreachable: {error}") from error
        answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        if answer.endswith("FOUND"):
            name = answer.removeprefix("stream:").removesuffix("FOUND").strip()
            return ScanResult(ScanStatus.INFECTED, name[:255])
        if answer.endswith("OK"):
            return ScanResult(ScanStatus.CLEAN)
        raise ScanError(f"clamd answered {answer[:200]!r}")


class NoScanner:
    """No antivirus (local development only): marks files « non analysé »."""

    synchronous = True

    def scan(self, stream) -> ScanResult:
        if not settings.DEBUG:
            raise ScanError("NoScanner is for local development (DEBUG) only")
        return ScanResult(ScanStatus.UNSCANNED, "no antivirus configured")


def get_scanner():
    return import_string(settings.ANTIVIRUS_BACKEND)()
