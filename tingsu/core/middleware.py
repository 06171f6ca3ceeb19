from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DefaultLanguageMiddleware(LocaleMiddleware):
    """The deployment's language (zh-hans by default) unless the person chose another.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which shows an
    English UI to every Chinese agent whose browser happens to be in English. Here only
    the language switch (the language cookie) overrides TINGSU_LANGUAGE; set
    TINGSU_LANGUAGE_FROM_BROWSER=true to follow the browser instead.
    """

    def process_request(self, request):
        if settings.TINGSU_LANGUAGE_FROM_BROWSER:
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
