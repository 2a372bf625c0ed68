"""The domain events the neighbourhood app publishes (inside the action's transaction), and their
payloads. Subscribers choose when to hear of them (``wangge.core.events``); this app's own —
telling a chief of a need that is now theirs — are in ``receivers``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.events import DomainEvent, define_event, publish

NEED_RAISED = "need_raised"


def define_events() -> None:
    define_event(NEED_RAISED, label=_("Need raised"),
                 doc="A need was recorded (door-to-door, consultation, on a resident's behalf or a "
                     "questionnaire answer). payload: reference, source, level, community_id, region_id, "
                     "chief_id, chief_user_id (the chief it is assigned to, or None).")


def need_raised(need, *, actor) -> None:
    """Publish ``need_raised`` for a need just written (``actor``: a user, or a core ``Actor``)."""
    from wangge.core.actors import Actor

    actor = Actor.coerce(actor)
    chief = need.chief
    publish(DomainEvent(
        name=NEED_RAISED, subject="neighbourhood.need", subject_id=need.pk, key=f"neighbourhood.need:{need.pk}:raised",
        occurred_at=timezone.now(), actor_id=getattr(actor.user, "pk", None), actor_kind=actor.kind,
        payload={"reference": need.reference, "source": need.source, "level": need.level,
                 "community_id": need.community_id, "region_id": need.region_id,
                 "chief_id": chief.pk if chief else None, "chief_user_id": chief.user_id if chief else None},
    ))
