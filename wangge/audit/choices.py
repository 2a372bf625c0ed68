from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    FAILED = "failed", _("Sign-in failed")


class ExportedList(models.TextChoices):
    """The lists that can be exported to a file (each export is a ``DataExportRecord``)."""

    CASES = "cases", _("Case list")
    KEY_PERSONS = "keypersons", _("Key-person register")
