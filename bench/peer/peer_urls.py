from django.contrib import admin
from django.urls import include, path

# django-helpdesk brings its own login page at /login/.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
