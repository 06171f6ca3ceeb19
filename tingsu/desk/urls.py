from django.contrib.auth import views as auth_views
from django.urls import path

from tingsu.desk.views import actions, case, duty, export, notifications, phone, queue, sla

app_name = "desk"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="desk/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", queue.queue, name="queue"),
    path("batch/", queue.batch, name="batch"),
    path("export/", export.export, name="export"),
    path("cases/<str:number>/", case.case_detail, name="case"),
    path(
        "cases/<str:number>/attachments/<int:pk>/",
        case.attachment_download,
        name="attachment",
    ),
    path("cases/<str:number>/reply/", actions.reply, name="reply"),
    path("cases/<str:number>/note/", actions.note, name="note"),
    path("cases/<str:number>/assign/", actions.assign, name="assign"),
    path("cases/<str:number>/transfer/", actions.transfer, name="transfer"),
    path("cases/<str:number>/fields/", actions.update_fields, name="update"),
    path("cases/<str:number>/status/<str:action>/", actions.transition, name="transition"),
    *phone.urlpatterns,
    *notifications.urlpatterns,
    *duty.urlpatterns,
    *sla.urlpatterns,
]
