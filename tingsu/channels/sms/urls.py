from django.urls import path

from tingsu.channels.sms import views

app_name = "channels_sms"
urlpatterns = [path("inbound", views.sms_inbound_webhook, name="inbound")]
