from django.urls import path

from tingsu.channels.email import views

app_name = "channels_email"

urlpatterns = [
    path("inbound", views.inbound, name="inbound"),
]
