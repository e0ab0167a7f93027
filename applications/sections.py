"""The sections of a candidacy: what each edits and what each still misses."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from territories.enums import SupportAxis

from . import forms


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form: type
    formsets: dict = field(default_factory=dict)  # prefix -> formset class

    def missing(self, candidacy) -> list[str]:
        return [str(item) for item in MISSING[self.slug](candidacy)]


def _territory(c):
    if c.territory_id:
        return []
    items = []
    if not c.territory_name:
        items.append(_("le nom du territoire"))
    if not c.territory_kind:
        items.append(_("la nature du territoire"))
    if not c.region_codes:
        items.append(_("au moins une région"))
    if not c.department_codes:
        items.append(_("au moins un département"))
    if not c.perimeter:
        items.append(_("la description du périmètre"))
    return items


def _lead(c):
    items = []
    if not c.lead_name:
        items.append(_("le nom de la structure porteuse"))
    if not c.lead_kind:
        items.append(_("la nature de la structure porteuse"))
    if not c.lead_siret:
        items.append(_("le SIRET de la structure porteuse"))
    if not c.contacts.all():
        items.append(_("au moins une personne à contacter"))
    return items


def _partners(c):
    return [] if c.partners.all() else [_("au moins un partenaire du consortium")]


def _diagnosis(c):
    items = []
    if not c.diagnosis:
        items.append(_("le diagnostic de l'écosystème"))
    if not c.challenges.all():
        items.append(_("au moins un défi et ses objectifs"))
    return items


def _axes(c):
    answers = c.axis_expectations or {}
    return [
        _("vos attentes sur l'axe « %(axis)s »") % {"axis": axis.label}
        for axis in SupportAxis
        if not (answers.get(axis.value) or "").strip()
    ]


def _governance(c):
    items = []
    if not c.governance:
        items.append(_("la gouvernance"))
    if not c.resources:
        items.append(_("les moyens"))
    return items


MISSING = {
    "territoire": _territory,
    "porteur": _lead,
    "partenaires": _partners,
    "diagnostic": _diagnosis,
    "axes": _axes,
    "gouvernance": _governance,
}

SECTIONS = [
    Section(
        "territoire", _("Le territoire et son périmètre"), forms.TerritorySectionForm
    ),
    Section(
        "porteur",
        _("La structure porteuse et les personnes à contacter"),
        forms.LeadSectionForm,
        {"contacts": forms.ContactFormSet},
    ),
    Section(
        "partenaires",
        _("Les partenaires du consortium"),
        forms.PartnersSectionForm,
        {"partners": forms.PartnerFormSet},
    ),
    Section(
        "diagnostic",
        _("Diagnostic, défis et secteurs prioritaires"),
        forms.DiagnosisSectionForm,
        {"challenges": forms.ChallengeFormSet},
    ),
    Section(
        "axes", _("Attentes sur les six axes d'accompagnement"), forms.AxesSectionForm
    ),
    Section("gouvernance", _("Gouvernance et moyens"), forms.GovernanceSectionForm),
]
BY_SLUG = {section.slug: section for section in SECTIONS}


def checklist(candidacy) -> list[tuple[Section, list[str]]]:
    """Each section with what it still misses (empty when complete)."""
    return [(section, section.missing(candidacy)) for section in SECTIONS]


def is_complete(candidacy) -> bool:
    return all(not missing for _section, missing in checklist(candidacy))
