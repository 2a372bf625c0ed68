from django.utils.translation import gettext_lazy as _

from wangge.core.errors import Forbidden, InvalidInput, InvalidState


class DayClosed(InvalidState):
    default_message = _("This day is closed and is not edited any more; add a dated correction instead.")


class DayNotClosed(InvalidState):
    default_message = _("Only a closed day can take this.")


class DiaryForbidden(Forbidden):
    default_message = _("You may not do this with this diary.")


class BadDiaryInput(InvalidInput):
    pass
