"""The published open-data files (one row per file, its current version)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    """A file of the open-data page. ``path`` names its current version in
    the default storage: versions are written under a new name, then this
    row is switched, so a download never reads a half-written file."""

    name = models.CharField(_("nom du fichier"), max_length=100, unique=True)
    path = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    # SHA-256 of the rows the file was made from: unchanged rows, no rewrite
    fingerprint = models.CharField(max_length=64)
    updated_at = models.DateTimeField(_("dernière mise à jour"))

    class Meta:
        verbose_name = _("fichier de données ouvertes")
        verbose_name_plural = _("fichiers de données ouvertes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("opendata:file", kwargs={"name": self.name})
