from django.urls import include, path

from gridwork.accounts.admin_site import site as admin_site

urlpatterns = [
    path("admin/", admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("gridwork.api.urls")),
    path("open311/v2/", include("gridwork.cases.open311.urls")),
    path("", include("gridwork.web.urls")),
]
