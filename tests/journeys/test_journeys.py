"""The portal's journeys in a real browser, as people go through them.

An applicant signs up, confirms the address, fills a candidacy in two
sittings, attaches a PDF, submits and downloads the receipt; staff assign two
reviewers, who declare no conflict and score; staff ask for complements, the
team resubmits, the committee labels; the worker renders the certificate; a
visitor finds the territory in the directory and on the map, downloads the
certificate and verifies it; the team records a measure and the public page
shows it. Every page visited passes axe-core's WCAG 2.1 A/AA rules, in French
and English, on desktop and on a 375-pixel-wide screen.
"""

import datetime as dt
import re
import shutil
import subprocess
import time
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.enums import Role
from applications.models import Candidacy, Receipt
from frenchimpact.models import OutboundEmail
from territories.models import Certificate, Label
from tests.factories import (
    ChallengeFactory,
    ObjectiveFactory,
    ProjectFactory,
    UserFactory,
    wave_with_grid,
)

from .conftest import DESKTOP, MOBILE, SCREENSHOTS_DIR

pytestmark = [
    pytest.mark.journey,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

EMAIL = "camille.martin@pays-jurassien.fr"
PASSWORD = "Un-mot-de-passe-solide-2019"
STAFF_EMAIL = "comite@hcess.gouv.test"
STAFF_PASSWORD = "Comite-du-label-2019"
REVIEWERS = [  # e-mail, password, first and last names, scores
    ("ines.arnaud@hcess.gouv.test", "Instructrice-A-2019", ("Inès", "Arnaud"), "45"),
    ("paul.benard@hcess.gouv.test", "Instructeur-B-2019", ("Paul", "Bénard"), "53"),
]
TERRITORY = "Pays du Revermont"
# a one-page PDF (the upload is checked by content)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def wait_for(predicate, timeout=240, every=0.5):
    """Wait for the worker (a condition, not a timing: generous, since CI's
    machine may be busy; it returns as soon as the condition holds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def download(page, locator) -> bytes:
    """Click a download link and return what the browser saved."""
    with page.expect_download() as info:
        locator.click()
    with open(info.value.path(), "rb") as file:
        return file.read()


def form_with_action(page, action):
    return page.locator(f"form:has(input[name=action][value={action}])")


def log_in(page, audit, email, password):
    page.goto("/compte/connexion/")
    audit.check(page)
    page.locator("[name=username]").fill(email)
    page.locator("[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def log_out(page):
    page.locator(".fr-header__tools form[action*='deconnexion'] button").click()
    page.wait_for_load_state()
    assert page.locator(".fr-header__tools a[href$='/compte/connexion/']").count() == 1


def save_section(page, audit, slug, values, *, screenshot=None):
    """Open a section of the candidacy, fill it, save the draft (taking a
    screenshot of the filled form when asked)."""
    page.locator(f"a[href$='/{slug}/']").first.click()
    audit.check(page)
    if values is None:  # every text field of the section, e.g. the six axes
        names = page.locator("main form textarea").evaluate_all(
            "fields => fields.map(f => f.name)"
        )
        values = dict.fromkeys(names, "Un appui du réseau national.")
    for name, value in values.items():
        field = page.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if screenshot:
        screenshot(page, "candidacy-form")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    assert page.locator(".fr-alert--success").count() == 1, page.content()[:3000]
    audit.check(page)


def test_territory_from_sign_up_to_label_certificate_and_progress(
    new_context, audit, screenshot, journey_worker, live_server
):
    wave = wave_with_grid(name="Vague 2")
    UserFactory(
        email=STAFF_EMAIL,
        password=STAFF_PASSWORD,
        role=Role.STAFF,
        is_staff=True,
        first_name="Claire",
        last_name="Comité",
    )
    for email, password, (first, last), _scores in REVIEWERS:
        UserFactory(
            email=email,
            password=password,
            role=Role.REVIEWER,
            first_name=first,
            last_name=last,
        )

    # --- the applicant signs up and confirms the address --------------------
    applicant = new_context().new_page()
    applicant.goto("/")
    audit.check(applicant)
    screenshot(applicant, "home")
    applicant.locator(".fr-header__tools a[href$='/compte/inscription/']").click()
    audit.check(applicant)
    applicant.locator("[name=first_name]").fill("Camille")
    applicant.locator("[name=last_name]").fill("Martin")
    applicant.locator("[name=email]").fill(EMAIL)
    applicant.locator("[name=password1]").fill(PASSWORD)
    applicant.locator("[name=password2]").fill(PASSWORD)
    applicant.locator("main form button[type=submit]").click()
    applicant.wait_for_load_state()
    audit.check(applicant)
    mail = OutboundEmail.objects.filter(to=[EMAIL]).latest("pk")
    link = re.search(r"https?://\S+/compte/confirmer/\S+/", mail.body).group(0)
    applicant.goto(live_server.url + link[link.index("/compte/") :])
    assert "Votre adresse est confirmée" in applicant.content()
    audit.check(applicant)

    # --- first sitting: the territory and its lead organisation -------------
    # confirming logs the applicant in
    applicant.goto("/mon-espace/")
    assert applicant.url.endswith("/mon-espace/")
    audit.check(applicant)
    applicant.get_by_role("button", name="Candidater à la Vague 2").click()
    applicant.wait_for_load_state()
    audit.check(applicant)
    candidacy = Candidacy.objects.get()
    save_section(
        applicant,
        audit,
        "territoire",
        {
            "territory_name": TERRITORY,
            "territory_kind": "pays",
            "region_codes": "27",
            "department_codes": "39",
            "perimeter": "Trois intercommunalités du Revermont jurassien.",
        },
    )
    applicant.goto(candidacy.get_absolute_url())
    save_section(
        applicant,
        audit,
        "porteur",
        {
            "lead_name": "Revermont Solidaire",
            "lead_kind": "association",
            "lead_siret": "73282932000074",
            "lead_town": "Saint-Amour",
            "contacts-0-name": "Camille Martin",
            "contacts-0-function": "Directrice",
            "contacts-0-email": EMAIL,
        },
        screenshot=screenshot,
    )
    log_out(applicant)

    # --- second sitting: log in again, finish, attach, submit ---------------
    log_in(applicant, audit, EMAIL, PASSWORD)
    applicant.goto(candidacy.get_absolute_url())
    audit.check(applicant)
    assert "À compléter" in applicant.content()
    assert applicant.locator(".fi-checklist .fr-badge--success").count() == 2
    for slug, values in (
        (
            "partenaires",
            {
                "partners-0-name": "Coopérative du Revermont",
                "partners-0-kind": "cooperative",
                "partners-0-role": "Insertion par l'activité économique",
                "partners-0-commitment": "Un chargé de mission à mi-temps.",
            },
        ),
        (
            "diagnostic",
            {
                "diagnosis": "Un tissu associatif dense et des coopératives agricoles.",
                "challenges-0-title": "L'emploi pour tous",
                "challenges-0-theme": "emploi",
                "challenges-0-objectives": "30 personnes en insertion par an.",
            },
        ),
        ("axes", None),
        (
            "gouvernance",
            {
                "governance": "Un comité de pilotage tous les mois.",
                "resources": "Deux personnes à temps plein.",
            },
        ),
    ):
        applicant.goto(candidacy.get_absolute_url())
        save_section(applicant, audit, slug, values)

    applicant.goto(candidacy.get_absolute_url())
    applicant.locator("[name=file]").set_input_files(
        {
            "name": "lettre d'engagement.pdf",
            "mimeType": "application/pdf",
            "buffer": PDF,
        }
    )
    applicant.get_by_role("button", name="Ajouter la pièce jointe").click()
    applicant.wait_for_load_state()
    audit.check(applicant)
    assert applicant.get_by_role("link", name="lettre d'engagement.pdf").count() == 1
    assert "À compléter" not in applicant.content()
    applicant.get_by_role("button", name="Déposer la candidature").click()
    applicant.wait_for_load_state()
    assert "Votre candidature a été déposée" in applicant.content()

    # the worker renders the receipt; the applicant downloads it
    assert wait_for(
        lambda: Receipt.objects.filter(candidacy=candidacy, status="ready").exists()
    ), "the worker did not render the receipt"
    applicant.reload()
    audit.check(applicant)
    receipt = download(
        applicant,
        applicant.get_by_role("link", name=re.compile("Récépissé du dépôt n° 1")),
    )
    candidacy.refresh_from_db()
    text = pdf_text(receipt)
    assert candidacy.reference in text and TERRITORY in text

    # --- staff open the review and assign two reviewers ---------------------
    type(wave).objects.filter(pk=wave.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    staff = new_context().new_page()
    log_in(staff, audit, STAFF_EMAIL, STAFF_PASSWORD)
    staff.goto(f"/instruction/vagues/{wave.pk}/")
    audit.check(staff)
    form_with_action(staff, "open").get_by_role("button").click()
    staff.wait_for_load_state()
    assert "Les candidatures déposées sont en instruction." in staff.content()
    staff.get_by_role("link", name=re.compile(TERRITORY)).first.click()
    audit.check(staff)
    for _email, _password, (first, last), _scores in REVIEWERS:
        assign = form_with_action(staff, "assign")
        assign.locator("select[name=reviewer]").select_option(label=f"{first} {last}")
        assign.get_by_role("button").click()
        staff.wait_for_load_state()
        assert "L'instructeur est affecté et prévenu." in staff.content()
    audit.check(staff)

    # --- each reviewer declares no conflict and scores ----------------------
    for email, password, _names, scores in REVIEWERS:
        reviewer = new_context().new_page()
        log_in(reviewer, audit, email, password)
        reviewer.goto("/instruction/mes-dossiers/")
        audit.check(reviewer)
        # nothing of the file before the declaration: only its reference
        reviewer.get_by_role("link", name=candidacy.reference).click()
        audit.check(reviewer)
        reviewer.locator("input[name=has_conflict][value=no]").check(force=True)
        reviewer.locator("main form button[type=submit]").click()
        reviewer.wait_for_load_state()
        audit.check(reviewer)
        selects = reviewer.locator("select[name^=score_]")
        for n, value in enumerate(scores):
            selects.nth(n).select_option(value)
        reviewer.locator("select[name=recommendation]").select_option("label")
        reviewer.locator("[name=comment]").fill("Un dossier solide et cohérent.")
        reviewer.get_by_role("button", name="Remettre le rapport").click()
        reviewer.wait_for_load_state()
        assert "Votre rapport est remis." in reviewer.content()
        audit.check(reviewer)
        reviewer.context.close()

    # --- staff ask for complements; the team resubmits ----------------------
    staff.reload()
    changes = form_with_action(staff, "request_changes")
    changes.locator("[name=message]").fill(
        "Joignez la lettre d'engagement du département."
    )
    changes.get_by_role("button").click()
    staff.wait_for_load_state()
    assert "Les compléments sont demandés à l'équipe." in staff.content()

    applicant.goto(candidacy.get_absolute_url())
    audit.check(applicant)
    assert "Joignez la lettre d" in applicant.content()
    applicant.locator("[name=file]").set_input_files(
        {
            "name": "engagement du département.pdf",
            "mimeType": "application/pdf",
            "buffer": PDF,
        }
    )
    applicant.get_by_role("button", name="Ajouter la pièce jointe").click()
    applicant.wait_for_load_state()
    applicant.get_by_role("button", name="Redéposer la candidature").click()
    applicant.wait_for_load_state()
    candidacy.refresh_from_db()
    assert candidacy.state == "resubmitted"

    # --- the committee labels: the decision is published ---------------------
    staff.reload()
    decide = form_with_action(staff, "decide")
    decide.locator("select[name=outcome]").select_option("label")
    decide.locator("[name=reasons]").fill(
        "Un écosystème solide, une gouvernance claire."
    )
    decide.get_by_role("button").click()
    staff.wait_for_load_state()
    form_with_action(staff, "publish").get_by_role("button").click()
    staff.wait_for_load_state()
    assert "La décision est publiée." in staff.content()
    audit.check(staff)
    staff.goto(f"/instruction/vagues/{wave.pk}/")
    audit.check(staff)
    screenshot(staff, "staff-ranking")

    # --- the worker renders the certificate ---------------------------------
    label = Label.objects.get(territory__name=TERRITORY)
    assert wait_for(
        lambda: Certificate.objects.filter(label=label, status="ready").exists()
    ), "the worker did not render the certificate"

    # --- a visitor finds the territory and verifies its label ---------------
    visitor = new_context().new_page()
    visitor.goto("/territoires/")
    audit.check(visitor)
    visitor.locator("[name=q]").fill("Revermont")
    visitor.get_by_role("button", name="Rechercher").click()
    visitor.wait_for_load_state()
    audit.check(visitor)
    assert visitor.get_by_role("heading", name=TERRITORY).count() == 1
    marker = visitor.locator(f".fi-map__marker[aria-label*='{TERRITORY}']")
    assert marker.count() == 1, "the territory is not on the map"
    visitor.goto("/territoires/")
    screenshot(visitor, "directory")
    visitor.set_viewport_size(MOBILE)
    screenshot(visitor, "directory-375px")
    visitor.set_viewport_size(DESKTOP)
    visitor.locator(f".fi-map__marker[aria-label*='{TERRITORY}']").click()
    visitor.wait_for_load_state()
    assert visitor.get_by_role("heading", level=1).inner_text().strip() == TERRITORY
    audit.check(visitor)
    screenshot(visitor, "territory")
    visitor.get_by_role(
        "link", name="Vérifier le label et télécharger son certificat"
    ).click()
    visitor.wait_for_load_state()
    audit.check(visitor)
    certificate = download(
        visitor, visitor.get_by_role("link", name="Télécharger le certificat (PDF)")
    )
    text = pdf_text(certificate).replace("\n", "")
    assert TERRITORY in text
    verification = re.search(
        re.escape(live_server.url) + r"/labels/verifier/[\w-]+/", text
    ).group(0)
    certificate_png = SCREENSHOTS_DIR / "certificate"
    (SCREENSHOTS_DIR / "certificate.pdf").write_bytes(certificate)
    subprocess.run(  # noqa: S603 - poppler's converter on our own file
        [
            shutil.which("pdftoppm") or "/usr/bin/pdftoppm",
            "-png",
            "-r",
            "60",
            "-singlefile",
            str(SCREENSHOTS_DIR / "certificate.pdf"),
            str(certificate_png),
        ],
        check=True,
    )
    (SCREENSHOTS_DIR / "certificate.pdf").unlink()
    visitor.goto(verification)
    assert "Label valide : Actif" in visitor.content()
    audit.check(visitor)
    visitor.get_by_role("link", name=re.compile("Accessibilité")).click()
    assert "axe-core" in visitor.content()  # the declaration says what is tested
    audit.check(visitor)

    # --- the team records progress on a challenge objective -----------------
    # the team has set its challenge, project and objective (their forms are
    # tested in tests/challenges); it now records a measure
    challenge = ChallengeFactory(
        territory=label.territory, title="L'emploi pour tous", is_published=True
    )
    project = ProjectFactory(challenge=challenge, name="Conserverie solidaire")
    objective = ObjectiveFactory(
        project=project,
        statement="Salarier 30 personnes en insertion",
        baseline=0,
        baseline_on=dt.date(2024, 1, 1),
        target=30,
        deadline=timezone.localdate() + dt.timedelta(days=700),
    )
    applicant.goto("/mon-espace/")
    applicant.get_by_role("link", name="suivi des défis").click()
    applicant.wait_for_load_state()
    audit.check(applicant)
    applicant.get_by_role(
        "link",
        name=f"Enregistrer une mesure pour l'objectif {objective.statement}",
    ).click()
    applicant.wait_for_load_state()
    audit.check(applicant)
    applicant.locator("[name=reported_on]").fill(timezone.localdate().isoformat())
    applicant.locator("[name=value]").fill("12,5")
    applicant.locator("[name=comment]").fill("Douze salariés et un mi-temps.")
    applicant.locator("main form button[type=submit]").click()
    applicant.wait_for_load_state()
    audit.check(applicant)
    assert objective.reports.count() == 1

    visitor.goto(project.get_absolute_url())
    audit.check(visitor)
    assert "Douze salariés et un mi-temps." in visitor.content()
    assert "12,50" in visitor.content()  # typed « 12,5 », shown the French way
    screenshot(visitor, "project")

    audit.assert_clean()
