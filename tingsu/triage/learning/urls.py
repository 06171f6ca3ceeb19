from django.urls import path

from tingsu.triage.learning import views

app_name = "triage_learning"

urlpatterns = [
    path(
        "cases/<str:number>/suggestions/<int:pk>/apply/",
        views.apply_suggestion,
        name="apply",
    ),
]
