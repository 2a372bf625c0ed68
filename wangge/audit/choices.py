from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    FAILED = "failed", _("Sign-in failed")
