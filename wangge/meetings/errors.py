"""The meetings app's refusals (subclasses of the core's, so callers may catch either)."""

from django.utils.translation import gettext_lazy as _

from wangge.core.errors import Forbidden, InvalidInput, InvalidState, NotFound  # noqa: F401


class MeetingNotFound(NotFound):
    default_message = _("Meeting not found.")


class NotConvener(Forbidden):
    default_message = _("Only the convener or a superior may do this.")


class MinutesFinal(InvalidState):
    default_message = _("Final minutes cannot be changed; add an addendum instead.")


class DepartmentsNotInvited(InvalidState):
    """A 双月协商会 or 部门会商 with no department invited: not published, not held."""

    code = "no_department_invited"
