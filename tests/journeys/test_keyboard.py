"""The candidacy form with the keyboard only: every field is reached with
Tab, the focus is visible on each, and errors are announced and tied to
their fields."""

import pytest

from tests.factories import UserFactory, candidacy_for, open_wave

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]

EMAIL, PASSWORD = "clavier@pays-test.fr", "Sans-souris-du-tout-2019"

# What the focused element shows: an outline or a shadow on the element or
# on its ::before (DSFR's enlarged links), an outline on a container,
# or the ring DSFR draws on the label of a visually hidden radio or checkbox.
FOCUS_STYLE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const seen = e.dataset.tabStop === "1";
  e.dataset.tabStop = "1";
  const ring = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1)
    || (s.boxShadow && s.boxShadow !== "none");
  let visible = ring(getComputedStyle(e)) || ring(getComputedStyle(e, "::before"))
    || ring(getComputedStyle(e, "::after"));
  for (let a = e.parentElement, n = 0; a && n < 4 && !visible;
       a = a.parentElement, n++) {
    const s = getComputedStyle(a);
    visible = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1;
  }
  const label = e.id ? document.querySelector(`label[for="${e.id}"]`) : null;
  if (!visible && label) {
    visible = ring(getComputedStyle(label, "::before"));
  }
  return {id: e.id, name: e.getAttribute("name"), tag: e.tagName, seen, visible,
          href: e.getAttribute("href"), text: (e.innerText || "").slice(0, 40),
          inForm: !!e.closest("main form")};
}"""

FIELDS = """() => Array.from(document.querySelectorAll(
  "main form input:not([type=hidden]), main form select, main form textarea"
)).map(e => e.id)"""


def tab_through(page, limit=150):
    """Press Tab from the top of the page until the focus comes back to
    the start; return what each stop looked like."""
    page.locator("body").focus()
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused is None:
            continue
        if focused["seen"]:  # back to the first stop: the loop is complete
            break
        stops.append(focused)
    return stops


def test_candidacy_section_with_keyboard_only(new_context, audit, live_server):
    user = UserFactory(email=EMAIL, password=PASSWORD)
    candidacy = candidacy_for(user=user, wave=open_wave(name="Vague 2"))
    page = new_context().new_page()

    # log in with the keyboard: type, Tab to the next field, Enter to send
    page.goto("/compte/connexion/")
    page.locator("[name=username]").focus()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/mon-espace/")

    page.goto(f"/candidatures/{candidacy.pk}/porteur/")
    fields = page.evaluate(FIELDS)
    assert len(fields) >= 7  # the lead organisation and its first contact
    stops = tab_through(page)
    reached = {stop["id"] for stop in stops}
    assert set(fields) <= reached, f"not reached with Tab: {set(fields) - reached}"
    invisible = [s for s in stops if not s["visible"]]
    assert not invisible, f"focus not visible on: {invisible}"
    assert any(s["tag"] == "BUTTON" and s["inForm"] for s in stops)

    # a wrong SIRET, typed and sent with the keyboard
    page.locator("[name=lead_siret]").focus()
    page.keyboard.type("123 456 789 00012")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.locator("main [role=alert]").first
    assert summary.is_visible()
    assert "SIRET" in summary.inner_text()
    siret = page.locator("[name=lead_siret]")
    assert siret.get_attribute("aria-invalid") == "true"
    described_by = siret.get_attribute("aria-describedby").split()
    error_texts = [
        page.locator(f"[id='{ref}']").inner_text()
        for ref in described_by
        if ref.endswith("-error")
    ]
    assert error_texts and "SIRET" in " ".join(error_texts)
    # the summary's link leads to the field, and the focus lands there
    summary.locator(f"a[href='#{siret.get_attribute('id')}']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "lead_siret"
    audit.check(page)
    audit.assert_clean()
