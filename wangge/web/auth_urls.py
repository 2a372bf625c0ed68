"""Sign-in, sign-out and changing one's password, outside the ``web`` namespace: settings name
them "login" / "logout". Every sign-in goes through ``authenticate(request=…)``, where
django-axes counts failures (see AXES_* in settings)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The new password must pass AUTH_PASSWORD_VALIDATORS (at least 10 characters, not common …).
    path("account/password/", auth_views.PasswordChangeView.as_view(
        template_name="web/password_change.html", success_url=reverse_lazy("web:account")), name="password_change"),
]
