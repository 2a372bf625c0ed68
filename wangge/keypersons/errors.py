"""The refusals of the key-person actions (nothing written, except the access log of a refusal)."""

from django.utils.translation import gettext_lazy as _

from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound


class KeyPersonNotFound(NotFound):
    default_message = _("No such key person.")


class KeyPersonForbidden(Forbidden):
    default_message = _("Your role may not do this with key persons.")


class ExportForbidden(Forbidden):
    default_message = _("Your role may not export the key-person register.")


class KeyPersonRetired(InvalidState):
    default_message = _("This key person has been retired.")


class BadKeyPersonInput(InvalidInput):
    pass
