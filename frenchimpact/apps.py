from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrenchImpactConfig(AppConfig):
    name = "frenchimpact"
    verbose_name = _("Le French Impact")

    def ready(self):
        from . import checks, public_cache, public_data  # noqa: F401 - checks registers its checks

        public_data.connect()
        public_cache.connect_signals()
