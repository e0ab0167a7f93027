"""Which saved rows change what the public sees, in one place.

The public page cache (``frenchimpact.public_cache``) and the open-data
files (``opendata.signals``) both follow the rows shown to the public. They
listen to one signal, ``public_data_changed``, sent here whenever a row of a
model listed in ``PUBLIC_MODELS`` is saved or deleted, or a many-to-many
relation with such a model at one end changes; its ``family`` tells what
kind of data changed:

- ``"public"``: the programme's public data (territories, labels, waves,
  challenges, objectives, measures, geography...), read by almost every
  public page and by the open data;
- ``"certificates"``: a label's certificate (a new version was rendered),
  read only by the label's verification page. Kept apart so that rendering a
  whole wave's certificates, on the very day its labels are announced, does
  not empty the cache of every other public page hundreds of times.

Bulk updates (``QuerySet.update``, ``bulk_create``) send nothing: the cache
entries expire on their own and the open data are rebuilt hourly.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

PUBLIC = "public"
CERTIFICATES = "certificates"
FAMILIES = (PUBLIC, CERTIFICATES)

# app label -> model name -> family
PUBLIC_MODELS = {
    "territories": {
        "region": PUBLIC,
        "department": PUBLIC,
        "organisation": PUBLIC,
        "territory": PUBLIC,
        "priorityarea": PUBLIC,
        "label": PUBLIC,
        "certificate": CERTIFICATES,
    },
    "applications": {"call": PUBLIC, "wave": PUBLIC, "criterion": PUBLIC},
    "challenges": {
        "indicator": PUBLIC,
        "challenge": PUBLIC,
        "project": PUBLIC,
        "objective": PUBLIC,
        "progressreport": PUBLIC,
    },
}

# sent with ``family``, one of FAMILIES
public_data_changed = Signal()


def family_of(model) -> str | None:
    """The family of a model's rows, or None if the public never sees them."""
    meta = getattr(model, "_meta", None)
    if meta is None:
        return None
    return PUBLIC_MODELS.get(meta.app_label, {}).get(meta.model_name)


def _on_change(sender, raw=False, **kwargs):
    family = family_of(sender)
    if family and not raw:  # fixtures being loaded (raw) are not changes
        public_data_changed.send(sender=sender, family=family)


def _on_m2m_change(sender, action, model=None, **kwargs):
    # the through model is automatic: the relation is watched by its two ends
    if not action.startswith("post_"):
        return
    family = family_of(kwargs["instance"].__class__) or family_of(model)
    if family:
        public_data_changed.send(sender=sender, family=family)


def connect() -> None:
    post_save.connect(_on_change, dispatch_uid="public_data.save")
    post_delete.connect(_on_change, dispatch_uid="public_data.delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="public_data.m2m")
