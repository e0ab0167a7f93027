"""Antivirus test doubles (ANTIVIRUS_BACKEND in the tests).

- ``CleanScanner``, the default of every test (tests/conftest.py): gives its
  verdict at once, « sain », so that a file uploaded can be downloaded at once.
- ``FakeClamd``: behaves like the clamd backend (scanned after the commit by
  the Celery task): a file containing the EICAR test string is infected; when
  ``FakeClamd.failing`` is set, the scanner is out of reach.
"""

from frenchimpact.antivirus import ScanError, ScanResult
from frenchimpact.enums import ScanStatus

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class CleanScanner:
    synchronous = True

    def scan(self, stream):
        stream.read()
        return ScanResult(ScanStatus.CLEAN)


class FakeClamd:
    synchronous = False
    failing = False
    scanned: list[int] = []

    def scan(self, stream):
        data = stream.read()
        FakeClamd.scanned.append(len(data))
        if FakeClamd.failing:
            raise ScanError("clamd unreachable: connection refused")
        if EICAR in data:
            return ScanResult(ScanStatus.INFECTED, "Eicar-Test-Signature")
        return ScanResult(ScanStatus.CLEAN)
