"""What the app does when a case changes (domain events, see ``wangge/cases/timeline.py``)."""

from __future__ import annotations

from django.db import transaction

from wangge.core.events import DomainEvent


def case_closed(event: DomainEvent) -> None:
    """A case made from a need was closed (结案): ask the resident “was it really fixed?”. Durable
    (run by the worker after commit) and idempotent: one follow-up per need and case."""
    from .actions import ask_follow_up
    from .models import Need

    with transaction.atomic():
        for need in Need.objects.filter(case_id=event.subject_id).select_related("chief"):
            ask_follow_up(need=need, case_id=event.subject_id, case_number=event.payload.get("number", ""))


NEED_NEW_KIND = "need_new"


def chief_is_someone_else(event: DomainEvent) -> bool:
    """The subscription's ``when``: the need went to a chief who did not record it themselves (a
    chief who writes down what they heard at the door needs no notice of it). No query."""
    chief_user = event.payload.get("chief_user_id")
    return bool(chief_user) and chief_user != event.actor_id


def tell_chief_of_new_need(event: DomainEvent) -> int:
    """新需求 — tell the chief a need was assigned to (a questionnaire answer from their unit, a
    need raised at their place) that a household waits for their call; the notice opens the need
    on the chief's phone page. Durable (the worker runs it after commit, retried if it fails) and
    idempotent (the event's key is the notice's dedupe key)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from wangge.core.language import office_text
    from wangge.notifications.services import notify

    from .choices import NEED_PENDING, NeedLevel
    from .models import Need

    need = Need.objects.select_related("chief__user", "need_class").filter(pk=event.subject_id).first()
    if need is None or need.chief is None or not need.chief.is_serving or not need.chief.user.is_active:
        return 0
    if need.status not in NEED_PENDING or need.level != NeedLevel.CHIEFS:
        return 0  # answered or handed on before the worker got to it: nothing for the chief to do
    message = office_text(_("New need %(ref)s: please contact the household. %(class)s · %(text)s"), {
        "ref": need.reference, "class": need.need_class.name, "text": need.description[:60]})
    return notify(recipients=[need.chief.user], kind=NEED_NEW_KIND, subject=need, message=message,
                  url=reverse("neighbourhood:chief_need", args=[need.pk]), dedupe_key=event.key)


def residents_merged(sender, *, kept, merged, **kwargs) -> None:
    """Re-point this app's rows from the merged resident to the one kept (mechanical copy)."""
    from .models import Chief, Need, ServiceRecord

    for model in (Chief, Need, ServiceRecord):
        model.objects.filter(resident=merged).update(resident=kept)


def resident_anonymised(sender, *, resident, **kwargs) -> None:
    """Blank this app's copies of the resident's personal data: a volunteer chief's name."""
    from .models import Chief

    Chief.objects.filter(resident=resident).update(name="—")


def open_business(resident) -> str | None:
    """A resident who serves as a chief, or whose need is still open, is not to be erased."""
    from django.utils.translation import gettext as _

    from .choices import NEED_PENDING
    from .models import Chief, Need

    if Chief.objects.filter(resident=resident, ended_at__isnull=True).exists():
        return _("serves as a neighbourhood chief")
    if Need.objects.filter(resident=resident, status__in=NEED_PENDING).exists():
        return _("has an open need")
    return None
