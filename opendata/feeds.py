"""Atom feed of newly labelled territories."""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territories.models import Label

FEED_SIZE = 50


class LabelledTerritoriesFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Territoires French Impact nouvellement labellisés")
    subtitle = gettext_lazy(
        "Les derniers territoires labellisés « Territoire French Impact »."
    )
    link = reverse_lazy("territories:directory")

    def items(self):
        return (
            Label.objects.public()
            .select_related("territory", "wave")
            .order_by("-awarded_on", "-pk")[:FEED_SIZE]
        )

    def item_title(self, label):
        return _("%(territory)s labellisé (%(wave)s)") % {
            "territory": label.territory.name,
            "wave": label.wave.name,
        }

    def item_description(self, label):
        return label.territory.summary

    def item_link(self, label):
        return label.territory.get_absolute_url()

    def item_guid(self, label):
        return f"urn:frenchimpact:label:{label.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, label):
        return timezone.make_aware(dt.datetime.combine(label.awarded_on, dt.time(12)))

    def item_updateddate(self, label):
        return label.updated_at
