"""The permission matrix: every URL of the project, for every role.

The URLs come from the URL resolver, so a URL added tomorrow is covered at
once: a URL name missing from ``URLS`` below fails
``test_every_url_is_declared``, which asks its author to say who may see it.

Each URL is requested as each role of :mod:`tests.security.world` with the
ids of team A's objects. The outcomes are checked exactly (200, login
redirect, 403, 404, 405), a 200 on a private page must show A's data, a
refusal must not; and whoever is outside team A never receives any of A's
private values, on any URL. POSTs are sent as every role that may not do
them: refused, and nothing changed.

One test per role loops over every URL and reports every failure at once.
"""

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import escape

from applications.models import Attachment, Candidacy, Invitation, TeamMembership
from challenges.models import (
    CampaignSubmission,
    Challenge,
    Objective,
    ProgressReport,
    Project,
    ReportingCampaign,
)
from reviews.models import Assignment, ExpertRequest, Message, Review, ReviewReport
from support.models import Action, Comment, Milestone, RegulatoryBarrier, SupportPlan

from .world import (
    ANON,
    COEDITOR_A,
    EXPERT_A,
    EXPERT_OTHER,
    LEAD_A,
    LEAD_B,
    PDF,
    REVIEWER_A,
    REVIEWER_CONFLICT,
    REVIEWER_OTHER,
    ROLES,
    STAFF,
)

pytestmark = pytest.mark.django_db

# --- outcomes and categories --------------------------------------------------

OK = 200
BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
LOGIN = "login"  # 302 to the login page, coming back here
REDIRECT = "redirect"  # 302 elsewhere than the login page
REFUSED_IN_VIEW = "refused by the view"  # a POST reaches the view, which refuses

LOGGED_IN = [role for role in ROLES if role != ANON]
SUPERUSER = "superuser"  # for the admin only
TEAM_OF_A = {LEAD_A, COEDITOR_A}


def _everyone(outcome, **others):
    return {role: others.get(role, outcome) for role in ROLES}


def _only(roles, *, others, anonymous=LOGIN):
    return {
        role: OK if role in roles else (anonymous if role == ANON else others)
        for role in ROLES
    }


PUBLIC = _everyone(OK)
LOGIN_ANY = _everyone(OK, anonymous=LOGIN)
ANONYMOUS_ONLY = {role: OK if role == ANON else REDIRECT for role in ROLES}
# the team of A and the High Commission; other people get a 404 (the object
# does not exist for them), anonymous people the login page
TEAM_A = _only({LEAD_A, COEDITOR_A, STAFF}, others=NOT_FOUND)
STAFF_ONLY = _only({STAFF}, others=FORBIDDEN)
ASSIGNED_REVIEWER_OF_A = _only({REVIEWER_A}, others=NOT_FOUND)
ASKED_EXPERT_OF_A = _only({EXPERT_A}, others=NOT_FOUND)
BAD_TOKEN = _everyone(BAD_REQUEST)

# people outside team A and the High Commission, who must never receive any of
# A's private values; the reviewer and the expert of A's candidacy under review
# see it, not the rest of the team's files
OUTSIDERS = {ANON, LEAD_B, REVIEWER_OTHER, REVIEWER_CONFLICT, EXPERT_OTHER}
CANDIDACY_READERS = {REVIEWER_A, EXPERT_A}


@dataclass(frozen=True)
class Post:
    """A POST that changes something: ``allowed`` may do it (not sent here);
    every other role is refused and ``state`` is the same after."""

    allowed: set
    state: Callable[[Any], Any]
    data: Callable[[Any], dict] = lambda w: {}
    # the first allowed role's POST changes ``state`` in the world, which
    # shows that ``data`` and ``state`` would reveal a wrongly accepted POST
    control: bool = True


@dataclass(frozen=True)
class Url:
    """Who may see a URL.

    ``access`` gives each role's outcome on GET; for a POST-only view
    (``post_only``: every GET is answered 405), who reaches the view by POST.
    ``marker`` is what a 200 must show (A's data); ``capability`` marks a URL
    whose secret token is the permission (the invitation link).
    """

    access: dict
    kwargs: Callable[[Any], dict] = lambda w: {}
    marker: Callable[[Any], str | None] = lambda w: None
    post_only: bool = False
    post: Post | None = None
    capability: bool = False
    by_role: dict = field(default_factory=dict)

    def get_outcome(self, role):
        if self.post_only:
            return NOT_ALLOWED
        return self.by_role.get(role, self.access[role])


def M(key):
    """A private marker of the world, as what a page must show."""
    return lambda w: w.markers[key]


def _count(model, **filters):
    return lambda w: model.objects.filter(
        **{k: v(w) if callable(v) else v for k, v in filters.items()}
    ).count()


def _row(model, pk, *fields):
    """The values of one row (None once deleted)."""

    def state(w):
        return model.objects.filter(pk=pk(w)).values_list(*fields).first()

    return state


def _file(name, content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the table ----------------------------------------------------------------

URLS: dict[str, Url] = {
    # the portal's pages
    "healthz": Url(PUBLIC),
    # the second factor of the people working inside the review (issue 8):
    # applicants have none (404); a privileged person without a device is
    # sent from the prompt to the enrolment
    "accounts:otp_verify": Url(
        _only(set(), others=NOT_FOUND)
        | dict.fromkeys(
            (
                REVIEWER_A,
                REVIEWER_OTHER,
                REVIEWER_CONFLICT,
                EXPERT_A,
                EXPERT_OTHER,
                STAFF,
            ),
            REDIRECT,
        )
    ),
    "accounts:otp_setup": Url(
        _only(
            {
                REVIEWER_A,
                REVIEWER_OTHER,
                REVIEWER_CONFLICT,
                EXPERT_A,
                EXPERT_OTHER,
                STAFF,
            },
            others=NOT_FOUND,
        )
    ),
    # one's own account, personal data (JSON) and deletion (password asked)
    "accounts:account": Url(LOGIN_ANY),
    "accounts:personal_data": Url(LOGIN_ANY),
    "accounts:delete_account": Url(LOGIN_ANY),
    "home": Url(PUBLIC),
    # statistics (public figures; the High Commission's) and staff exports
    "stats:public": Url(PUBLIC),
    "stats:staff": Url(STAFF_ONLY),
    "reviews:wave_export": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"wave_pk": w.wave.pk, "fmt": "csv"},
        marker=M("reference under review"),
    ),
    "reviews:wave_reviewers_export": Url(
        STAFF_ONLY, kwargs=lambda w: {"wave_pk": w.wave.pk, "fmt": "csv"}
    ),
    "reviews:candidacy_audit_export": Url(
        STAFF_ONLY, kwargs=lambda w: {"pk": w.review.pk, "fmt": "csv"}
    ),
    "programme": Url(PUBLIC),
    "manifesto": Url(PUBLIC),
    "accessibility": Url(PUBLIC),
    "legal": Url(PUBLIC),
    "privacy": Url(PUBLIC),
    "sitemap": Url(PUBLIC),  # the « plan du site » page
    "verify_label": Url(
        PUBLIC,
        kwargs=lambda w: {"code": w.label.verification_code},
        marker=lambda w: w.label.number,
    ),
    "certificate_pdf": Url(
        PUBLIC,
        kwargs=lambda w: {"code": w.label.verification_code},
        marker=lambda w: "CERTIFICAT-A",
    ),
    # for robots and aggregators, public by their very name (and checked to
    # show nothing private)
    "robots_txt": Url(PUBLIC),
    "sitemap_xml": Url(PUBLIC, marker=lambda w: w.territory.get_absolute_url()),
    "opendata:index": Url(PUBLIC),
    "opendata:file": Url(
        PUBLIC,
        kwargs=lambda w: {"name": w.open_data_file},
        marker=lambda w: w.challenge.title,
    ),
    "opendata:labelled_feed": Url(PUBLIC, marker=lambda w: w.territory.name),
    # the public read-only API (GET only; nothing private: tests/api)
    "api:root": Url(PUBLIC),
    "api:schema": Url(PUBLIC),
    "api:docs": Url(PUBLIC),
    "api:territories-list": Url(PUBLIC, marker=lambda w: w.territory.slug),
    "api:territories-detail": Url(
        PUBLIC,
        kwargs=lambda w: {"slug": w.territory.slug},
        marker=lambda w: w.territory.slug,
    ),
    "api:labels-list": Url(PUBLIC, marker=lambda w: w.label.number),
    "api:labels-detail": Url(
        PUBLIC,
        kwargs=lambda w: {"number": w.label.number},
        marker=lambda w: w.label.number,
    ),
    "api:waves-list": Url(PUBLIC),
    "api:challenges-list": Url(PUBLIC, marker=lambda w: w.challenge.title),
    "api:challenges-detail": Url(
        PUBLIC,
        kwargs=lambda w: {"pk": w.challenge.pk},
        marker=lambda w: w.challenge.title,
    ),
    "api:projects-list": Url(PUBLIC, marker=lambda w: w.project.name),
    "api:projects-detail": Url(
        PUBLIC, kwargs=lambda w: {"pk": w.project.pk}, marker=lambda w: w.project.name
    ),
    "api:objectives-list": Url(PUBLIC),
    "api:objectives-detail": Url(PUBLIC, kwargs=lambda w: {"pk": w.objective.pk}),
    "api:progress-reports-list": Url(PUBLIC),
    "api:progress-reports-detail": Url(PUBLIC, kwargs=lambda w: {"pk": w.progress.pk}),
    # accounts
    "accounts:signup": Url(ANONYMOUS_ONLY),
    "accounts:verify": Url(BAD_TOKEN, kwargs=lambda w: {"token": "jeton-invalide"}),
    "accounts:resend": Url(PUBLIC),
    "accounts:login": Url(ANONYMOUS_ONLY),
    "accounts:logout": Url(PUBLIC, post_only=True),  # anyone may log out
    "accounts:password_reset": Url(PUBLIC),
    "accounts:password_reset_done": Url(PUBLIC),
    "accounts:password_reset_confirm": Url(
        PUBLIC, kwargs=lambda w: {"uidb64": "MQ", "token": "jeton-invalide"}
    ),
    "accounts:password_reset_complete": Url(PUBLIC),
    # public directory
    "territories:directory": Url(PUBLIC, marker=lambda w: w.territory.name),
    "territories:base_map": Url(PUBLIC),
    "territories:detail": Url(
        PUBLIC,
        kwargs=lambda w: {"slug": w.territory.slug},
        marker=lambda w: w.territory.name,
    ),
    # applicants
    "applications:call": Url(PUBLIC),
    "applications:dashboard": Url(LOGIN_ANY),
    "applications:create": Url(
        LOGIN_ANY,
        post_only=True,
        post=Post(
            allowed=set(LOGGED_IN),  # anyone logged in starts their own
            state=_count(Candidacy),
            data=lambda w: {"wave": w.draft_wave.pk},
        ),
    ),
    "applications:detail": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.review.pk},
        marker=M("reference under review"),
    ),
    "applications:submit": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.draft.pk},
        post_only=True,
        post=Post(
            allowed={LEAD_A},
            state=_row(Candidacy, lambda w: w.draft.pk, "state", "submission_count"),
        ),
    ),
    "applications:withdraw": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.draft.pk},
        post_only=True,
        post=Post(
            allowed={LEAD_A},
            state=_row(Candidacy, lambda w: w.draft.pk, "state"),
        ),
    ),
    "applications:invite": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.draft.pk},
        post_only=True,
        post=Post(
            allowed={LEAD_A},
            state=_count(Invitation),
            data=lambda w: {"email": "intrus@example.org"},
        ),
    ),
    "applications:upload": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.draft.pk},
        post_only=True,
        post=Post(
            allowed=TEAM_OF_A,
            state=_count(Attachment),
            data=lambda w: {"file": _file("intrus.pdf"), "description": "Intrus"},
        ),
    ),
    "applications:attachment": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.draft.pk, "attachment_pk": w.attachment.pk},
        marker=M("attachment"),
    ),
    "applications:delete_attachment": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.draft.pk, "attachment_pk": w.attachment.pk},
        post_only=True,
        post=Post(allowed=TEAM_OF_A, state=_count(Attachment)),
    ),
    "applications:receipt": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.review.pk, "number": 1},
        marker=M("receipt"),
    ),
    "applications:section": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.draft.pk, "slug": "gouvernance"},
        marker=M("reference of the draft"),
        post=Post(
            allowed=TEAM_OF_A,
            state=_row(
                Candidacy,
                lambda w: w.draft.pk,
                "governance",
                "resources",
                "section_versions",
            ),
            data=lambda w: {
                "version": w.draft.version_of("gouvernance"),
                "governance": "Gouvernance réécrite par un intrus.",
                "resources": "Moyens réécrits par un intrus.",
            },
        ),
    ),
    # the link of an invitation: whoever holds the token sees who invites
    # them; only the invited address may accept it
    "applications:invitation": Url(
        LOGIN_ANY,
        kwargs=lambda w: {"token": w.invitation_token},
        capability=True,
        post=Post(
            allowed=set(),
            state=lambda w: (
                TeamMembership.objects.filter(candidacy=w.draft).count(),
                Invitation.objects.get(pk=w.invitation.pk).accepted_at,
            ),
        ),
    ),
    # the review: staff
    "reviews:waves": Url(STAFF_ONLY),
    "reviews:wave": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"wave_pk": w.wave.pk},
        marker=M("reference under review"),
        post=Post(
            allowed={STAFF},
            state=_count(Assignment),
            data=lambda w: {"action": "auto_assign", "per_candidacy": 3},
        ),
    ),
    "reviews:wave_report": Url(
        STAFF_ONLY, kwargs=lambda w: {"wave_pk": w.wave.pk}, marker=M("wave report")
    ),
    "reviews:wave_certificates": Url(
        STAFF_ONLY, kwargs=lambda w: {"wave_pk": w.wave.pk}
    ),
    "reviews:candidacy": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"pk": w.review.pk},
        marker=M("reference under review"),
        post=Post(
            allowed={STAFF},
            state=lambda w: (
                Candidacy.objects.get(pk=w.review.pk).state,
                Message.objects.count(),
            ),
            data=lambda w: {
                "action": "request_changes",
                "message": "Compléments demandés par un intrus.",
            },
        ),
    ),
    "reviews:staff_report": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"pk": w.review.pk},
        marker=M("staff report"),
        # a GET-like view: the report exists already, POST renders nothing new
        post=Post(allowed={STAFF}, state=_count(ReviewReport), control=False),
    ),
    "reviews:expert_attachment": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"pk": w.expert_request.pk},
        marker=M("expert's file"),
    ),
    # the review: reviewers and experts
    "reviews:my_assignments": Url(LOGIN_ANY),
    "reviews:assignment": Url(
        ASSIGNED_REVIEWER_OF_A,
        kwargs=lambda w: {"pk": w.assignment.pk},
        marker=M("reference under review"),
        post=Post(
            allowed={REVIEWER_A},
            state=lambda w: list(
                Review.objects.filter(assignment__candidacy=w.review).values_list(
                    "pk", "state", "comment", "version"
                )
            ),
            data=lambda w: {
                "version": w.assignment.review.version,
                "recommendation": "reject",
                "comment": "Avis réécrit par un intrus.",
                "action": "save",
            },
        ),
    ),
    "reviews:expert_requests": Url(LOGIN_ANY),
    "reviews:expert_request": Url(
        ASKED_EXPERT_OF_A,
        kwargs=lambda w: {"pk": w.expert_request.pk},
        marker=M("question to the expert"),
        post=Post(
            allowed={EXPERT_A},
            state=_row(ExpertRequest, lambda w: w.expert_request.pk, "answer"),
            data=lambda w: {"answer": "Avis rendu par un intrus."},
        ),
    ),
    # the review: the team's side
    "reviews:team_report": Url(
        TEAM_A, kwargs=lambda w: {"pk": w.labelled.pk}, marker=M("team report")
    ),
    "reviews:team_message": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.review.pk},
        post_only=True,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(Message),
            data=lambda w: {"body": "Message d'un intrus."},
        ),
    ),
    # challenges: public
    "challenges:list": Url(PUBLIC, marker=lambda w: w.challenge.title),
    "challenges:challenge": Url(
        PUBLIC,
        kwargs=lambda w: {"pk": w.challenge.pk},
        marker=lambda w: w.challenge.title,
    ),
    "challenges:project": Url(
        PUBLIC, kwargs=lambda w: {"pk": w.project.pk}, marker=lambda w: w.project.name
    ),
    # challenges: the territory's team
    "challenges:team": Url(
        LOGIN_ANY,
        # a team of one territory goes straight to it
        by_role={LEAD_A: REDIRECT, COEDITOR_A: REDIRECT, LEAD_B: REDIRECT},
    ),
    "challenges:team_territory": Url(
        TEAM_A,
        kwargs=lambda w: {"slug": w.territory.slug},
        marker=M("unpublished challenge"),
    ),
    "challenges:challenge_create": Url(
        TEAM_A,
        kwargs=lambda w: {"slug": w.territory.slug},
        marker=lambda w: w.territory.name,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(Challenge),
            data=lambda w: {"title": "Défi d'un intrus", "theme": "emploi"},
        ),
    ),
    "challenges:campaign_submit": Url(
        TEAM_A,
        kwargs=lambda w: {"slug": w.territory.slug, "campaign_pk": w.campaign.pk},
        post_only=True,
        # the follow-up rule (territories.edit_follow_up) lets the High
        # Commission act for the team, the statement of completion included
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF}, state=_count(CampaignSubmission)
        ),
    ),
    "challenges:challenge_edit": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.hidden_challenge.pk},
        marker=M("unpublished challenge"),
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_row(
                Challenge, lambda w: w.hidden_challenge.pk, "title", "is_published"
            ),
            data=lambda w: {
                "title": "Défi renommé par un intrus",
                "theme": "emploi",
                "is_published": "on",
            },
        ),
    ),
    "challenges:project_create": Url(
        TEAM_A,
        kwargs=lambda w: {"challenge_pk": w.challenge.pk},
        marker=lambda w: w.territory.name,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(Project),
            data=lambda w: {"name": "Projet d'un intrus", "structure_kind": "scic"},
        ),
    ),
    "challenges:project_edit": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.project.pk},
        marker=lambda w: w.territory.name,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_row(Project, lambda w: w.project.pk, "name"),
            data=lambda w: {"name": "Projet renommé", "structure_kind": "scic"},
        ),
    ),
    "challenges:objective_create": Url(
        TEAM_A,
        kwargs=lambda w: {"project_pk": w.project.pk},
        marker=lambda w: w.territory.name,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(Objective),
            data=lambda w: {
                "statement": "Objectif d'un intrus",
                "indicator_name": "Personnes",
                "unit": "personnes",
                "target": "10",
            },
        ),
    ),
    "challenges:objective_edit": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.objective.pk},
        marker=lambda w: w.territory.name,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_row(Objective, lambda w: w.objective.pk, "statement", "target"),
            data=lambda w: {
                "statement": "Objectif réécrit",
                "indicator_name": "Personnes",
                "unit": "personnes",
                "target": "99",
            },
        ),
    ),
    "challenges:report_create": Url(
        TEAM_A,
        kwargs=lambda w: {"objective_pk": w.objective.pk},
        marker=lambda w: w.territory.name,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(ProgressReport),
            data=lambda w: {"reported_on": "2024-12-31", "value": "12"},
        ),
    ),
    "challenges:report_delete": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.progress.pk},
        post_only=True,
        post=Post(allowed={LEAD_A, COEDITOR_A, STAFF}, state=_count(ProgressReport)),
    ),
    "challenges:evidence": Url(
        TEAM_A, kwargs=lambda w: {"pk": w.progress.pk}, marker=M("evidence")
    ),
    # challenges: staff
    "challenges:dashboard": Url(
        STAFF_ONLY,
        post=Post(
            allowed={STAFF},
            state=_count(ReportingCampaign),
            data=lambda w: {
                "year": 2099,
                "opens_on": "2099-01-01",
                "closes_on": "2099-03-01",
            },
        ),
    ),
    "challenges:campaign_close": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"pk": w.campaign.pk},
        post_only=True,
        post=Post(
            allowed={STAFF},
            state=_row(ReportingCampaign, lambda w: w.campaign.pk, "status"),
        ),
    ),
    # support plans and barriers: the territory's team
    "support:home": Url(LOGIN_ANY),
    "support:plan_create": Url(
        TEAM_A,
        post_only=True,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(SupportPlan),
            data=lambda w: {"territory": w.territory.pk},
            control=False,  # A's plan exists: a second one is refused
        ),
    ),
    "support:plan": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.plan.pk},
        marker=M("action of the plan being edited"),
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(Comment),
            data=lambda w: {"body": "Commentaire d'un intrus"},
        ),
    ),
    "support:plan_submit": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.plan.pk},
        post_only=True,
        post=Post(
            allowed=TEAM_OF_A,
            state=_row(SupportPlan, lambda w: w.plan.pk, "state"),
        ),
    ),
    "support:plan_version": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.plan.pk, "number": 1},
        marker=lambda w: "Action publique A",
    ),
    "support:action_add": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.plan.pk},
        marker=lambda w: w.territory.name,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(Action),
            data=lambda w: {
                "axis": "strategy",
                "title": "Action d'un intrus",
                "owner_kind": "territory",
                "owner_name": "Intrus",
            },
        ),
    ),
    "support:action_edit": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.action.pk},
        marker=M("action of the plan being edited"),
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_row(Action, lambda w: w.action.pk, "title"),
            data=lambda w: {
                "axis": "strategy",
                "title": "Action renommée par un intrus",
                "owner_kind": "territory",
                "owner_name": "Intrus",
            },
        ),
    ),
    "support:action_delete": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.action.pk},
        post_only=True,
        post=Post(allowed={LEAD_A, COEDITOR_A, STAFF}, state=_count(Action)),
    ),
    "support:milestone_add": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.action.pk},
        marker=M("action of the plan being edited"),
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_count(Milestone),
            data=lambda w: {"title": "Jalon d'un intrus", "due_on": "2031-01-01"},
        ),
    ),
    "support:milestone_status": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.milestone.pk},
        post_only=True,
        post=Post(
            allowed={LEAD_A, COEDITOR_A, STAFF},
            state=_row(Milestone, lambda w: w.milestone.pk, "status"),
            data=lambda w: {"status": "in_progress"},
        ),
    ),
    "support:milestone_delete": Url(
        TEAM_A,
        kwargs=lambda w: {"pk": w.milestone.pk},
        post_only=True,
        post=Post(allowed={LEAD_A, COEDITOR_A, STAFF}, state=_count(Milestone)),
    ),
    "support:barriers": Url(LOGIN_ANY),
    "support:barrier_report": Url(
        LOGIN_ANY,
        post=Post(
            # the form offers the user's own territories only
            allowed=TEAM_OF_A,
            state=_count(RegulatoryBarrier),
            data=lambda w: {
                "territory": w.territory.pk,
                "title": "Frein d'un intrus",
                "blocking": "x",
                "legal_text": "x",
                "impact": "x",
            },
        ),
    ),
    "support:barrier": Url(
        TEAM_A, kwargs=lambda w: {"pk": w.barrier.pk}, marker=M("barrier")
    ),
    # support plans and barriers: staff
    "support:staff_plans": Url(STAFF_ONLY, marker=lambda w: w.territory.name),
    "support:plan_validate": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"pk": w.plan.pk},
        post_only=True,
        post=Post(
            allowed={STAFF},
            state=_row(SupportPlan, lambda w: w.plan.pk, "state"),
            control=False,  # A's plan is a draft, not submitted
        ),
    ),
    "support:plan_send_back": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"pk": w.plan.pk},
        post_only=True,
        post=Post(
            allowed={STAFF},
            state=_row(SupportPlan, lambda w: w.plan.pk, "state"),
            data=lambda w: {"comment": "Renvoyé par un intrus"},
            control=False,  # A's plan is a draft, not submitted
        ),
    ),
    "support:desk": Url(STAFF_ONLY, marker=M("barrier")),
    "support:desk_barrier": Url(
        STAFF_ONLY,
        kwargs=lambda w: {"pk": w.barrier.pk},
        marker=M("barrier"),
        post=Post(
            allowed={STAFF},
            state=_row(RegulatoryBarrier, lambda w: w.barrier.pk, "state"),
            data=lambda w: {"action": "study"},
        ),
    ),
    # support plans and barriers: public
    "support:public_barriers": Url(PUBLIC, marker=lambda w: "Frein levé et publié"),
    "support:public_plan": Url(
        PUBLIC,
        kwargs=lambda w: {"slug": w.territory.slug},
        marker=lambda w: "Action publique A",
    ),
}

# Other ids for the same URLs: what is unpublished, other people's objects,
# and ids of two teams mixed in one URL.
NOWHERE = _everyone(NOT_FOUND)
NOBODY_LOGGED_IN = _only(set(), others=NOT_FOUND)
VARIANTS: list[tuple[str, str, Url]] = [
    (
        "challenges:challenge",
        "an unpublished challenge",
        Url(NOWHERE, kwargs=lambda w: {"pk": w.hidden_challenge.pk}),
    ),
    (
        "challenges:project",
        "a project of an unpublished challenge",
        Url(NOWHERE, kwargs=lambda w: {"pk": w.hidden_project.pk}),
    ),
    (
        "support:public_plan",
        "a plan never validated (B's)",
        Url(NOWHERE, kwargs=lambda w: {"slug": w.territory_b.slug}),
    ),
    (
        "reviews:assignment",
        "an assignment whose reviewer declared a conflict",
        Url(NOBODY_LOGGED_IN, kwargs=lambda w: {"pk": w.conflict_assignment.pk}),
    ),
    (
        "applications:attachment",
        "A's attachment under B's candidacy",
        Url(
            NOBODY_LOGGED_IN,
            kwargs=lambda w: {"pk": w.review_b.pk, "attachment_pk": w.attachment.pk},
        ),
    ),
    (
        "applications:delete_attachment",
        "A's attachment under B's candidacy",
        Url(
            NOBODY_LOGGED_IN,
            kwargs=lambda w: {"pk": w.review_b.pk, "attachment_pk": w.attachment.pk},
            post_only=True,
            post=Post(allowed=set(), state=_count(Attachment)),
        ),
    ),
    (
        "applications:receipt",
        "A's receipt number under B's candidacy, for B",
        Url(
            {**NOBODY_LOGGED_IN, LEAD_B: OK, STAFF: OK},
            kwargs=lambda w: {"pk": w.review_b.pk, "number": 1},
            marker=lambda w: "RECEPISSE-B",
        ),
    ),
]


# --- enumeration of the URLs --------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str | None  # with its namespaces, e.g. "applications:detail"
    route: str
    pattern: URLPattern


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(name, prefix + str(entry.pattern), entry)


def project_routes() -> list[Route]:
    """Every URL pattern of the project, from the resolver."""
    return list(_walk(get_resolver().url_patterns))


def _is_admin(route: Route) -> bool:
    return route.route.lstrip("^").startswith("admin/") or (
        route.name or ""
    ).startswith("admin:")


def test_every_url_is_declared():
    undeclared, unnamed = [], []
    names = set()
    for route in project_routes():
        if _is_admin(route):
            continue  # one rule: see test_admin_*
        if route.name is None:
            unnamed.append(route.route)
            continue
        names.add(route.name)
        if route.name not in URLS:
            undeclared.append(f"{route.name}  ({route.route})")
    stale = sorted(set(URLS) - names)
    message = []
    if undeclared:
        message.append(
            "These URLs are not in the permission matrix. State who may see "
            "them: add each name to URLS in tests/security/test_permission_"
            "matrix.py with its category (PUBLIC, LOGIN_ANY, TEAM_A, "
            "STAFF_ONLY, ...), the ids it needs from the world and, for a view "
            "that changes something on POST, who may POST:\n  "
            + "\n  ".join(sorted(undeclared))
        )
    if unnamed:
        message.append(
            "These URL patterns have no name: name them, then declare them in "
            "the permission matrix:\n  " + "\n  ".join(unnamed)
        )
    if stale:
        message.append(
            "These names of the permission matrix are no longer URLs of the "
            "project: remove them:\n  " + "\n  ".join(stale)
        )
    assert not message, "\n\n".join(message)


# --- requests -----------------------------------------------------------------


def _client(world, role) -> Client:
    """A client logged in as ``role``; a server error is a 500 in the
    report, not an exception that stops the loop."""
    client = Client(raise_request_exception=False)
    user = world.superuser if role == SUPERUSER else world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> str:
    if response.streaming:
        # consumed to the end, the test client closes it (without closing the
        # database connection, as response.close() would)
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _send(client, method, url, data=None, state=None, world=None):
    """Request ``url`` in a savepoint rolled back afterwards, so that no
    request changes what the next one sees; return the response, its body
    and ``state`` measured just after the request."""
    with transaction.atomic():
        send = client.post if method == "post" else client.get
        response = send(url, data or {})
        body = _body(response)
        after = state(world) if state else None
        transaction.set_rollback(True)
    return response, body, after


def _outcome_problem(outcome, response, login_url) -> str | None:
    status = response.status_code
    location = response.get("Location", "")
    if outcome == LOGIN:
        good = status == 302 and location.startswith(login_url + "?next=")
    elif outcome == REDIRECT:
        good = status == 302 and not location.startswith(login_url)
    elif outcome == REFUSED_IN_VIEW:
        good = status < 500
    else:
        good = status == outcome
    if good:
        return None
    where = f" to {location}" if location else ""
    return f"expected {outcome}, got {status}{where}"


def _forbidden_markers(world, role, url: Url, outcome) -> list[str]:
    """The private values of A that this response must not contain."""
    if url.capability and outcome == OK:
        return []  # whoever holds the token
    if role in OUTSIDERS:
        return list(world.markers)
    refused = outcome not in {OK, REDIRECT, REFUSED_IN_VIEW}
    if refused:
        return list(world.markers)  # a refusal shows nothing of A
    if role in CANDIDACY_READERS:
        return list(world.team_only_markers)
    return []


def _shows(body: str, text: str) -> bool:
    """Whether ``body`` contains ``text``, as is, escaped for HTML or JSON."""
    return any(
        form in body
        for form in {text, html.escape(text), json.dumps(text)[1:-1], escape(text)}
    )


def _leaks(world, body, keys) -> list[str]:
    return [key for key in keys if _shows(body, world.markers[key])]


def _declared():
    """(name, label, url) of every URL of the table, then of the variants."""
    for name, url in sorted(URLS.items()):
        yield name, name, url
    for name, what, url in VARIANTS:
        yield name, f"{name} [{what}]", url


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(world, role):
    client = _client(world, role)
    login_url = reverse("accounts:login")
    problems = []
    for name, label, url in _declared():
        path = reverse(name, kwargs=url.kwargs(world))
        outcome = url.get_outcome(role)
        response, body, _ = _send(client, "get", path)
        problem = _outcome_problem(outcome, response, login_url)
        if problem:
            problems.append(f"GET {label} {path}: {problem}")
            continue
        marker = url.marker(world)
        if outcome == OK and marker and not _shows(body, marker):
            problems.append(f"GET {label} {path}: 200 without A's data ({marker!r})")
        leaked = _leaks(world, body, _forbidden_markers(world, role, url, outcome))
        if leaked:
            problems.append(f"GET {label} {path}: shows A's {', '.join(leaked)}")
    assert not problems, f"as {role}:\n  " + "\n  ".join(problems)


def _post_outcome(url: Url, role):
    outcome = url.access[role]
    return REFUSED_IN_VIEW if outcome in {OK, REDIRECT} else outcome


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(world, role):
    """Every POST a role may not make is refused and changes nothing; a POST
    to a view that only reads is refused like the GET (or 405)."""
    client = _client(world, role)
    login_url = reverse("accounts:login")
    problems = []
    checked = 0
    for name, label, url in _declared():
        path = reverse(name, kwargs=url.kwargs(world))
        if url.post is None:
            if url.post_only or url.access[role] in {OK, REDIRECT, BAD_REQUEST}:
                continue  # forms open to this role, or nothing to change
            response, body, _ = _send(client, "post", path)
            if response.status_code != NOT_ALLOWED and _outcome_problem(
                url.access[role], response, login_url
            ):
                problems.append(
                    f"POST {label} {path}: expected 405 or {url.access[role]}, "
                    f"got {response.status_code}"
                )
            checked += 1
            continue
        if role in url.post.allowed:
            continue
        before = url.post.state(world)
        response, body, after = _send(
            client, "post", path, url.post.data(world), url.post.state, world
        )
        checked += 1
        outcome = _post_outcome(url, role)
        problem = _outcome_problem(outcome, response, login_url)
        if problem:
            problems.append(f"POST {label} {path}: {problem}")
        if after != before:
            problems.append(f"POST {label} {path}: changed {before!r} into {after!r}")
        leaked = _leaks(world, body, _forbidden_markers(world, role, url, outcome))
        if leaked:
            problems.append(f"POST {label} {path}: shows A's {', '.join(leaked)}")
    assert checked, "no POST checked"
    assert not problems, f"as {role}:\n  " + "\n  ".join(problems)


CONTROL_ORDER = [LEAD_A, COEDITOR_A, STAFF, REVIEWER_A, EXPERT_A, *ROLES]


def test_allowed_posts_change_the_state(world):
    """The control of test_post_matrix: sent by a role that may, each POST
    changes what its ``state`` measures; the refusals are not vacuous."""
    problems = []
    for name, label, url in _declared():
        if url.post is None or not url.post.allowed or not url.post.control:
            continue
        role = next(r for r in CONTROL_ORDER if r in url.post.allowed)
        client = _client(world, role)
        path = reverse(name, kwargs=url.kwargs(world))
        before = url.post.state(world)
        response, _body, after = _send(
            client, "post", path, url.post.data(world), url.post.state, world
        )
        if response.status_code >= 400 or after == before:
            problems.append(
                f"POST {label} as {role}: {response.status_code}, "
                f"{before!r} -> {after!r}"
            )
    assert not problems, "\n".join(problems)


# --- the lists ----------------------------------------------------------------

LISTS = {
    "applications:dashboard": [LEAD_B],
    "reviews:my_assignments": [LEAD_B, REVIEWER_OTHER, REVIEWER_CONFLICT],
    "reviews:expert_requests": [LEAD_B, EXPERT_OTHER],
    "challenges:team": [LEAD_B],
    "support:home": [LEAD_B],
    "support:barriers": [LEAD_B],
}
# what each of these people finds in the lists, to show that they are not empty
OWN_MARKERS = {
    ("applications:dashboard", LEAD_B): "reference of B",
    ("reviews:my_assignments", REVIEWER_OTHER): "reference of B",
    ("reviews:expert_requests", EXPERT_OTHER): "reference of B",
    ("challenges:team", LEAD_B): "territory of B",
    ("support:home", LEAD_B): "territory of B",
    ("support:barriers", LEAD_B): "barrier of B",
}


def test_lists_never_show_what_the_detail_refuses(world):
    problems = []
    for name, roles in LISTS.items():
        for role in roles:
            client = _client(world, role)
            with transaction.atomic():
                response = client.get(reverse(name), follow=True)
                body = _body(response)
                transaction.set_rollback(True)
            if response.status_code != OK:
                problems.append(f"{name} as {role}: {response.status_code}")
                continue
            leaked = _leaks(world, body, list(world.markers))
            if leaked:
                problems.append(f"{name} as {role} shows A's {', '.join(leaked)}")
            own = OWN_MARKERS.get((name, role))
            if own and not _shows(body, world.markers_b[own]):
                problems.append(f"{name} as {role} misses their own {own}")
    assert not problems, "\n".join(problems)


# --- CSRF ---------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[LEAD_A])
    messages = Message.objects.count()

    response = client.post(
        reverse("reviews:team_message", args=[world.review.pk]),
        {"body": "Sans jeton CSRF"},
    )

    assert response.status_code == FORBIDDEN
    assert Message.objects.count() == messages


# --- the Django admin ---------------------------------------------------------


def _admin_site_of(callback):
    """The admin site of an admin view: set by ``AdminSite.get_urls`` and
    ``ModelAdmin.get_urls``, or the site or model admin the view is a
    method of."""
    view = callback
    while view is not None:
        owner = getattr(view, "model_admin", None) or getattr(view, "__self__", None)
        site = getattr(view, "admin_site", None) or getattr(owner, "admin_site", None)
        if site is None and isinstance(owner, admin.AdminSite):
            site = owner
        if site is not None:
            return site
        view = getattr(view, "__wrapped__", None)
    return None


def test_admin_urls_all_belong_to_the_admin_site():
    """One rule covers the admin: every ``admin:*`` view is the admin site's
    or one of its model admins', which ``admin_view`` guards (the admin
    login for whoever is not active staff); test_admin_matrix checks it on
    a sample, every model's own extra URLs included."""
    strays = []
    for route in project_routes():
        if not _is_admin(route):
            continue
        site = _admin_site_of(route.pattern.callback)
        if site is None or site != admin.site:  # admin.site is a lazy object
            strays.append(f"{route.name} ({route.route})")
        if route.name and not route.name.startswith("admin:"):
            strays.append(f"{route.name} ({route.route}) outside the admin namespace")
    assert not strays, "admin URLs outside admin.site: " + ", ".join(strays)


def _admin_sample():
    """The index, then for every registered model its changelist, the change
    page of one row (when the world has one) and the model's own extra URLs
    (such as the user's password page)."""
    standard = {"changelist", "add", "change", "delete", "history"}
    sample = [("admin:index", [])]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        sample.append((f"{info}_changelist", []))
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        sample.append((f"{info}_change", [obj.pk]))
        for pattern in model_admin.urls:
            name = pattern.name or ""
            if name and name.rsplit("_", 1)[-1] not in standard:
                # a model's own page (the import page) may take no object
                args = [obj.pk] if pattern.pattern.converters else []
                sample.append((f"admin:{name}", args))
    return sample


# Programme staff have ``is_staff`` but no model permission, except what the
# object rules grant without an object: ``applications.view_candidacy`` is
# both the rule of the candidacy page and Django's view permission of the
# model, so the High Commission reads (only reads) candidacies in the admin.
STAFF_ADMIN_PAGES = {
    "admin:index",
    "admin:applications_candidacy_changelist",
    "admin:applications_candidacy_change",
}
# pages that failed for a known bug, each shown by its own test below
KNOWN_ADMIN_FAILURES: set[str] = set()


def _admin_outcome(role, name):
    if role == SUPERUSER:
        return OK
    if role == STAFF:
        return OK if name in STAFF_ADMIN_PAGES else FORBIDDEN
    return LOGIN  # the admin's own login page


@pytest.mark.parametrize("role", [*ROLES, SUPERUSER])
def test_admin_matrix(world, role):
    client = _client(world, role)
    login_url = reverse("admin:login")
    problems = []
    for name, args in _admin_sample():
        if role == SUPERUSER and name in KNOWN_ADMIN_FAILURES:
            continue
        path = reverse(name, args=args)
        response, body, _ = _send(client, "get", path)
        expected = _admin_outcome(role, name)
        problem = _outcome_problem(expected, response, login_url)
        if problem:
            problems.append(f"GET {name} {path}: {problem}")
        elif expected != OK and _leaks(world, body, list(world.markers)):
            problems.append(f"GET {name} {path}: shows A's private data")
    assert not problems, f"as {role}:\n  " + "\n  ".join(problems)


def test_admin_candidacy_change_page_opens_for_a_superuser(world):
    client = _client(world, SUPERUSER)
    path = reverse("admin:applications_candidacy_change", args=[world.review.pk])

    response, body, _ = _send(client, "get", path)

    assert response.status_code == OK
    assert _shows(body, world.review.reference)
