from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tingsu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from tingsu.accounts.middleware import session_started
        from tingsu.accounts.selectors import watch_api_keys

        # API keys are cached per process (accounts.selectors): a change to a key or to the
        # user it acts as gives the configuration a new version.
        watch_api_keys()

        # Django's login hook is the one place every login path (desk, admin) passes.
        user_logged_in.connect(
            lambda sender, request, user, **kw: session_started(request, user),
            dispatch_uid="tingsu_session_started",
            weak=False,
        )
