from django.urls import path

from tingsu.channels.phone import views

app_name = "channels_phone"
urlpatterns = [path("cti", views.cti_webhook, name="cti")]
