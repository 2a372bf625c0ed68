"""Language choice: pages speak Simplified Chinese unless the user picked English (language
cookie, set by the switch at /i18n/setlang/); the API follows Accept-Language, as API clients
expect."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class WanggeLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
