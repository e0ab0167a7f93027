"""sitemap.xml: public pages only."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from challenges.models import Project
from challenges.selectors import public_challenges
from territories.models import Territory

STATIC_PAGES = [
    "home",
    "territories:directory",
    "challenges:list",
    "applications:call",
    "programme",
    "manifesto",
    "accessibility",
    "legal",
    "privacy",
    "sitemap",
    "opendata:index",
]


class StaticSitemap(Sitemap):
    i18n = True
    changefreq = "weekly"

    def items(self):
        return STATIC_PAGES

    def location(self, item):
        return reverse(item)


class TerritorySitemap(Sitemap):
    i18n = True
    changefreq = "weekly"

    def items(self):
        return Territory.objects.labelled().only("slug", "updated_at").order_by("slug")

    def lastmod(self, territory):
        return territory.updated_at


class ChallengeSitemap(Sitemap):
    i18n = True

    def items(self):
        return public_challenges().only("pk", "updated_at").order_by("pk")

    def lastmod(self, challenge):
        return challenge.updated_at


class ProjectSitemap(Sitemap):
    i18n = True

    def items(self):
        return (
            Project.objects.filter(challenge__in=public_challenges())
            .only("pk", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, project):
        return project.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "territories": TerritorySitemap,
    "challenges": ChallengeSitemap,
    "projects": ProjectSitemap,
}
