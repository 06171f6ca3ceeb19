from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from tingsu.api.api import api
from tingsu.api.errors import unknown_endpoint
from tingsu.core.views import healthz

admin.site.site_header = _("Tingsu administration")
admin.site.site_title = _("Tingsu administration")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("", RedirectView.as_view(url="/portal/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_endpoint),
    path("portal/", include("tingsu.portal.urls")),
    path("desk/account/", include("tingsu.accounts.urls")),
    path("desk/", include("tingsu.desk.urls")),
    path("desk/triage/", include("tingsu.triage.learning.urls")),
    path("desk/audit/", include("tingsu.audit.urls")),
    path("desk/privacy/", include("tingsu.privacy.urls")),
    path("channels/wechat/", include("tingsu.channels.wechat.urls")),
    path("channels/email/", include("tingsu.channels.email.urls")),
    path("channels/phone/", include("tingsu.channels.phone.urls")),
    path("channels/sms/", include("tingsu.channels.sms.urls")),
]
