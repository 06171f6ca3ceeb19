from django.urls import path

from tingsu.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("submitted/<str:number>/", views.submitted, name="submitted"),
    path("track/<str:number>/", views.track, name="track"),
    path("track/<str:number>/add/", views.add_info, name="add_info"),
    path("track/<str:number>/reopen/", views.reopen, name="reopen"),
    path("track/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "track/<str:number>/files/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
