from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """协商议事 — bimonthly consultations, four-level deliberation, tripartite joint meetings and
    department consultations: the ledger, the agenda, decisions that move cases through the
    core's actions, minutes and published outcomes."""

    name = "wangge.meetings"
    label = "meetings"
    verbose_name = _("Consultation meetings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.cases.channels import register_channel
        from wangge.cases.panels import register_case_panel
        from wangge.cases.signals import case_text_erased
        from wangge.cases.timeline import register_event_type
        from wangge.core.events import define_event
        from wangge.core.navigation import register_dashboard_tab, register_nav
        from wangge.core.periodic import register_periodic
        from wangge.notifications.registry import register_kind

        from . import actions, erasure, selectors
        from .choices import MeetingEventType

        # PIPL: an erased reporter's number and name go from the agenda and minutes as well.
        case_text_erased.connect(erasure.erase_case_text, dispatch_uid="meetings.erase_case_text")
        register_kind(actions.NOTIFICATION_KIND, _("Meeting"))
        # A topic's plan agreed at a meeting is filed as a case on this channel (协商议事).
        register_channel(actions.CASE_CHANNEL, _("Consultation meeting"), icon="office")
        register_event_type(actions.TIMELINE_AGENDA, _("Put on a meeting's agenda"),
                            doc="A case was put on a meeting's agenda. data: meeting, item.")
        register_event_type(actions.TIMELINE_DECISION, _("Meeting decision"),
                            doc="A meeting decided on the case. data: meeting, decision, deadline, lead.")
        for type_ in MeetingEventType:
            define_event(f"meeting_{type_.value}", label=type_.label,
                         doc="A meeting's log row. payload: type, kind, level, region_id, item_id, case_id, data.")
        register_case_panel("meetings", template="meetings/case_panel.html", context=selectors.agenda_for_case,
                            order=30)
        register_nav("meetings", _("Meetings"), "meetings:schedule",
                     visible=lambda user: selectors.is_convener_anywhere(user), order=50)
        register_dashboard_tab("meetings", _("Consultation and deliberation"), "meetings:figures",
                               visible=lambda user: selectors.is_convener_anywhere(user), order=50)
        register_periodic("meetings.schedules", "wangge.meetings.tasks.schedule_next_run", every_seconds=3600)
