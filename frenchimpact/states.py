"""The sequence every state machine of the portal follows, written once.

Each model with a state (candidacy, support plan, milestone, regulatory
barrier) has a single service function where that state changes. That
function locks the row and checks who acts; :meth:`StateMachine.move` does
the rest, the same way for all of them: nothing when the object is already
in the requested state (a double click acts once), a translated refusal for
a move the model's transition table does not declare, the save of the state
and of what the move itself changed, and the audit entry.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from . import audit


@dataclass(frozen=True)
class StateMachine:
    #: audit actions are ``f"{action}.{to_state}"``, e.g. ``support.plan.validated``
    action: str
    states: type[models.TextChoices]
    transitions: Mapping[str, Collection[str]]
    #: a lazy message with ``%(from)s`` and ``%(to)s`` (the states' labels)
    refusal: str
    error: type[Exception]
    field: str = "state"

    def move(
        self,
        obj: models.Model,
        to_state: str,
        *,
        actor,
        before_save: Callable[[str], list[str]] | None = None,
        comment: str | Callable[[], str] = "",
        data: dict | Callable[[], dict] | None = None,
    ) -> bool:
        """Move ``obj`` (locked by the caller) to ``to_state``; True if it moved.

        ``before_save(from_state)`` makes the move's other changes on ``obj``
        and returns the names of the fields it changed; ``comment`` and
        ``data`` may be callables, read once those changes are made.
        """
        from_state = getattr(obj, self.field)
        if from_state == to_state:
            return False
        if to_state not in self.transitions[from_state]:
            raise self.error(
                self.refusal
                % {
                    "from": self.states(from_state).label,
                    "to": self.states(to_state).label,
                }
            )
        fields = [self.field, "updated_at"]
        if before_save is not None:
            fields += before_save(from_state)
        setattr(obj, self.field, to_state)
        obj.save(update_fields=fields)
        audit.record(
            actor=actor,
            action=f"{self.action}.{to_state}",
            obj=obj,
            from_state=from_state,
            to_state=to_state,
            comment=_value(comment),
            data=_value(data),
        )
        return True


def _value(value: Any) -> Any:
    return value() if callable(value) else value
