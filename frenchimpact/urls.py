from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from opendata import views as opendata_views
from opendata.sitemaps import SITEMAPS
from territories import views as territory_views

from . import views
from .public_cache import public_page


def page(template):
    return public_page(TemplateView.as_view(template_name=f"pages/{template}.html"))


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # stable addresses, the same in every language
    path("api/", include("api.urls")),
    path("robots.txt", opendata_views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_xml",
    ),
]
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("programme/", page("programme"), name="programme"),
    path("manifeste/", page("manifesto"), name="manifesto"),
    path("accessibilite/", page("accessibility"), name="accessibility"),
    path("mentions-legales/", page("legal"), name="legal"),
    path("donnees-personnelles/", page("privacy"), name="privacy"),
    path("plan-du-site/", page("sitemap"), name="sitemap"),
    path("territoires/", include("territories.urls")),
    path("accompagnement/", include("support.urls")),
    path("defis/", include("challenges.urls")),
    path("compte/", include("accounts.urls")),
    path("donnees-ouvertes/", include("opendata.urls")),
    path("statistiques/", include("stats.urls")),
    path("labels/verifier/<str:code>/", territory_views.verify, name="verify_label"),
    path(
        "labels/verifier/<str:code>/certificat.pdf",
        territory_views.certificate_pdf,
        name="certificate_pdf",
    ),
    # reviews first: its team routes (messages, report) sit under
    # /candidatures/<pk>/, where the candidacy's section route catches the rest
    path("", include("reviews.urls")),
    path("", include("applications.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler404 = "frenchimpact.views.page_not_found"
handler403 = "frenchimpact.views.permission_denied"
handler500 = "frenchimpact.views.server_error"
