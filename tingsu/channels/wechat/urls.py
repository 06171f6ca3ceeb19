from django.urls import path

from tingsu.channels.wechat import views

app_name = "wechat"
urlpatterns = [
    path("<int:account_id>/callback", views.callback, name="callback"),
]
