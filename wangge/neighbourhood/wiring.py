"""What the app registers at start-up: its channel, notification kinds, rate limits, its domain
events, the case panel, navigation, the dashboard tab and its event subscriptions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CHANNEL = "neighbourhood"


def register() -> None:
    from wangge.cases.channels import register_channel
    from wangge.core.actors import ActorKind
    from wangge.core.events import Mode, subscribe
    from wangge.core.ratelimit import register_limit
    from wangge.notifications.registry import register_kind

    register_channel(CHANNEL, _("Neighbourhood chiefs"), actors={ActorKind.INTEGRATION}, icon="home")
    register_kind("need_escalated", _("Need escalated"))
    register_kind("need_new", _("New need for you"))
    register_limit("nb_answer", 10, 3600)   # questionnaire answers per client address
    register_limit("nb_rate", 20, 3600)     # ratings / follow-up answers per client address

    from . import events, receivers

    events.define_events()
    subscribe("case_closed", receivers.case_closed, mode=Mode.DURABLE, key="neighbourhood.follow_up_on_close")
    # A need assigned to a chief: tell them (after commit, by the worker; not when they raised it).
    subscribe(events.NEED_RAISED, receivers.tell_chief_of_new_need, mode=Mode.DURABLE,
              key="neighbourhood.tell_chief_of_new_need", when=receivers.chief_is_someone_else)

    from wangge.residents.retention import register_open_business_check
    from wangge.residents.signals import resident_anonymised, residents_merged

    residents_merged.connect(receivers.residents_merged, dispatch_uid="neighbourhood.residents_merged")
    resident_anonymised.connect(receivers.resident_anonymised, dispatch_uid="neighbourhood.resident_anonymised")
    register_open_business_check(receivers.open_business)  # once: the registry ignores a repeat
    from . import ui

    ui.register()

    from wangge.diary.sources import register_diary_source

    from . import diary

    register_diary_source("neighbourhood.visits", _("Door-to-door visits (入户问)"), diary.visit_lines, order=30)
    register_diary_source("neighbourhood.services", _("Services linked (三联)"), diary.service_lines, order=31)
