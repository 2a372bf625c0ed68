"""查重与分类建议 — duplicate detection and category suggestion for cases from every channel."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    name = "wangge.intake.duplicates"
    label = "intake_duplicates"
    verbose_name = _("Duplicates and category suggestions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wangge.cases.channels import register_source
        from wangge.cases.panels import register_case_panel
        from wangge.cases.signals import case_text_erased
        from wangge.core.events import Mode, subscribe
        from wangge.core.periodic import register_periodic
        from wangge.core.ratelimit import register_limit
        from wangge.residents.retention import register_open_business_check
        from wangge.residents.signals import residents_merged

        from . import erasure, receivers, selectors  # noqa: F401 — selectors connects its cache signals
        from .actions import JOIN_SOURCE
        from .tasks import find_interval

        register_source(JOIN_SOURCE)  # 我也遇到了's own keys: no API caller files under it

        # In the worker, following the case table (core.followers): the look for duplicates is
        # advice; it must never slow or undo a filing — not even by the one reaction row per
        # filing a DURABLE subscriber would cost — and nothing filed is ever skipped.
        register_periodic("intake_duplicates.find", "wangge.intake.duplicates.tasks.schedule_finding",
                          every_seconds=find_interval)
        # In the change's transaction: links and the texts to residents exist exactly when it does.
        subscribe("case_merged", receivers.merged, mode=Mode.ATOMIC, key="intake_duplicates.merged")
        subscribe("case_accepted", receivers.accepted, mode=Mode.ATOMIC, key="intake_duplicates.accepted")
        subscribe("case_resolved", receivers.resolved, mode=Mode.ATOMIC, key="intake_duplicates.resolved")
        subscribe("case_rejected", receivers.rejected, mode=Mode.ATOMIC, key="intake_duplicates.rejected")
        residents_merged.connect(receivers.residents_merged, dispatch_uid="intake_duplicates.repoint_links")
        # PIPL: a clerk's note on a pair of reports loses an erased reporter's number and name.
        case_text_erased.connect(erasure.erase_case_text, dispatch_uid="intake_duplicates.erase_case_text")
        register_open_business_check(receivers.follows_open_cases)
        # 我也遇到了 posts per client address, valid or not (the reports it files count as "report").
        register_limit("report_join_attempt", 200, 3600)
        register_case_panel("intake_duplicates", template="intake_duplicates/case_panel.html",
                            context=lambda case, user: {"case": case}, order=10)


        def every_seconds() -> int:
            from .tasks import retrain_interval

            return retrain_interval()

        register_periodic("intake_duplicates.retrain_classifier",
                          "wangge.intake.duplicates.tasks.schedule_retrain", every_seconds=every_seconds)
