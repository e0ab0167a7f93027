"""Rate limit of anonymous clients, counted in Django's cache by address."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class PublicApiThrottle(AnonRateThrottle):
    """``settings.API_RATE`` requests per client address (``"120/minute"``);
    ``None`` turns the limit off. Read at each request, so that it can
    change without a restart of the class."""

    scope = "public_api"

    def get_rate(self):
        return getattr(settings, "API_RATE", None)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        # the API knows no user: every client is counted by its address
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


def allow_from_cache(request) -> bool:
    """Count an answer from the public page cache (frenchimpact.public_cache),
    which comes before the view and its throttle."""
    return PublicApiThrottle().allow_request(request, None)
