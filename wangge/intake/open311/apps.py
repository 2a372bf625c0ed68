from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The channel cases filed through Open311 carry.
CHANNEL = "open311"
# The timeline entry recording what an Open311 client sent beyond the case fields.
RECEIVED_EVENT = "open311_received"


class Open311Config(AppConfig):
    """开放311接口 — GeoReport v2 for client apps holding an API key issued in the admin."""

    name = "wangge.intake.open311"
    label = "intake_open311"
    verbose_name = _("Open311 interface")

    def ready(self):
        from wangge.cases.channels import register_channel
        from wangge.cases.signals import case_text_erased
        from wangge.cases.timeline import register_event_type
        from wangge.core.ratelimit import register_limit

        from . import erasure

        # PIPL: an erased resident's ids in the client app and their words in its answers go too.
        case_text_erased.connect(erasure.erase_case_text, dispatch_uid="intake_open311.erase_case_text")

        register_channel(CHANNEL, _("Open311"), resident=True, actors={"integration"}, icon="globe")
        register_event_type(RECEIVED_EVENT, _("Received through Open311"),
                            doc="Details an Open311 client sent with the report: media link (not fetched), "
                                "attributes, device and account ids. data: media_url, attributes.")
        # Reports filed per API key (a client app files for many residents, so the ceiling is high).
        register_limit("open311_post", 120, 3600)
        # Requests with an unknown or revoked key, per client address: bounds key guessing.
        register_limit("open311_bad_key", 20, 600)
        # Public reads per client address.
        register_limit("open311_read", 600, 600)
