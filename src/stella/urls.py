"""URL map: the REST API under /api/v1/, the web UI everywhere else."""

from django.urls import include, path

from stella.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("stella.web.urls")),
]
