"""End-to-end journeys in a real browser: Playwright for Python drives
Debian's Chromium against the portal served by pytest-django's live server,
with a real Celery worker on the configured broker and database.

Every page a journey visits is checked with axe-core (WCAG 2.0 and 2.1, A
and AA) in French and in English, on a desktop screen and on a 375-pixel-wide
one. Screenshots of the key pages go to ``SCREENSHOTS_DIR`` (default
``artifacts/screenshots/``); when a journey fails, a screenshot of each open
page is kept in ``ARTIFACTS_DIR`` (or ``ARTIFACTS``, default ``artifacts/``).
"""

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS_DIR = Path(
    os.environ.get("SCREENSHOTS_DIR", ROOT / "artifacts" / "screenshots")
)
# .ci/run exports ARTIFACTS
ARTIFACTS_DIR = Path(
    os.environ.get("ARTIFACTS_DIR") or os.environ.get("ARTIFACTS") or ROOT / "artifacts"
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that fixtures know in
    their teardown whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module", autouse=True)
def _async_unsafe_allowed():
    """Playwright's sync API runs an event loop in the test thread while the
    browser is open; the ORM calls the tests make between two clicks are
    synchronous and safe there. Allowed only while a journey module runs:
    the variable must not reach other tests or the subprocesses they start
    (``check --deploy`` refuses it)."""
    key = "DJANGO_ALLOW_ASYNC_UNSAFE"
    previous = os.environ.get(key)
    os.environ[key] = "true"
    yield
    if previous is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    """One browser per journey module, closed (with Playwright's event loop)
    before the tests that follow."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is needed at {CHROMIUM} (Debian package `chromium`; "
            "`make test` installs it)."
        )
    with sync_playwright() as playwright:
        # French browser chrome (file and date pickers), as the portal's users
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--lang=fr-FR"]
        )
        yield chromium
        chromium.close()


class AccessibilityAudit:
    """Runs axe-core on each page visited, in the four variants (French and
    English, desktop and 375 px), once per address and state (the same
    address showing other elements, e.g. a file once submitted, is audited
    again); collects the violations."""

    def __init__(self):
        self.violations = []
        self.audited = set()
        self.count = 0

    @staticmethod
    def english(url):
        parts = urlsplit(url)
        path = parts.path
        if not path.startswith("/en/"):
            path = "/en" + path
        return urlunsplit(parts._replace(path=path))

    @staticmethod
    def french(url):
        parts = urlsplit(url)
        path = re.sub(r"^/en/", "/", parts.path)
        return urlunsplit(parts._replace(path=path))

    def run_axe(self, page, label):
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        self.count += 1
        for violation in results.response["violations"]:
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"]]
            self.violations.append(
                f"{label}: {violation['id']} ({violation['impact']}) "
                f"{violation['help']} — {targets[:5]}"
            )

    def check(self, page):
        """Audit the page as it is now (its current language and size), then
        the same address in the other three variants, in a second tab of the
        same browser context (same session)."""
        url = urlunsplit(urlsplit(page.url)._replace(fragment=""))
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # the page's state: the sequence of element names in its main part
        shape = page.evaluate(
            "() => Array.from(document.querySelectorAll('main *'),"
            " e => e.tagName + (e.getAttribute('role') || '')).join(',')"
        )
        key = (self.french(path), hashlib.sha256(shape.encode()).hexdigest())
        if key in self.audited:
            return
        self.audited.add(key)
        size = page.viewport_size or DESKTOP
        current = ("en" if parts.path.startswith("/en/") else "fr", size["width"])
        self.run_axe(page, f"{path} [{current[0]}, {current[1]}px]")
        tab = page.context.new_page()
        try:
            for language in ("fr", "en"):
                for viewport in (DESKTOP, MOBILE):
                    if (language, viewport["width"]) == current:
                        continue
                    tab.set_viewport_size(viewport)
                    address = (
                        self.english(url) if language == "en" else self.french(url)
                    )
                    response = tab.goto(address)
                    assert response is not None and response.ok, (
                        f"{address} answered {response and response.status}"
                    )
                    self.run_axe(tab, f"{path} [{language}, {viewport['width']}px]")
        finally:
            tab.close()

    def assert_clean(self):
        print(
            f"axe-core: {self.count} audits of {len(self.audited)} pages "
            f"({len({path for path, _shape in self.audited})} addresses), "
            f"{len(self.violations)} violations"
        )
        assert not self.violations, (
            f"{len(self.violations)} accessibility violations:\n"
            + "\n".join(self.violations)
        )


@pytest.fixture
def audit():
    return AccessibilityAudit()


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves ``name.png`` into SCREENSHOTS_DIR."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name, *, full_page=True):
        path = SCREENSHOTS_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def new_context(browser, request, live_server):
    """``new_context()`` opens a browser context (a person's own browser)
    on the live server; on failure, each open page is saved as a screenshot
    in ARTIFACTS_DIR."""
    contexts = []

    def open_context(*, viewport=DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="fr-FR"
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield open_context
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                name = f"failed-{request.node.name}-{n}-{m}.png"
                try:
                    page.screenshot(path=str(ARTIFACTS_DIR / name), full_page=True)
                except Exception as error:
                    print(f"no screenshot of {page.url}: {error}")
                else:
                    print(f"screenshot of the failing page {page.url}: {name}")
    for context in contexts:
        context.close()


@pytest.fixture
def journey_worker(celery_workers, live_server, settings):
    """A real Celery worker whose documents link to the live server."""
    settings.SITE_URL = live_server.url
    celery_workers.env["SITE_URL"] = live_server.url
    return celery_workers.start()
