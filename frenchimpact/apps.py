from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrenchImpactConfig(AppConfig):
    name = "frenchimpact"
    verbose_name = _("Le French Impact")
