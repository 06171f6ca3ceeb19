from django.urls import path

from tingsu.privacy import views

app_name = "privacy"

urlpatterns = [
    path("cases/<str:number>/reveal", views.case_reveal, name="case_reveal"),
]
