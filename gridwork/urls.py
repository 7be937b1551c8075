from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from gridwork.accounts.admin_site import site as admin_site
from gridwork.accounts.decorators import public

urlpatterns = [
    path("admin/", admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("gridwork.api.urls")),
    path("open311/v2/", include("gridwork.cases.open311.urls")),
    # Browsers ask for /favicon.ico whatever the page names; a 404 there is an error in their console.
    path("favicon.ico", public(RedirectView.as_view(url=static("web/favicon.svg"), permanent=True))),
    path("", include("gridwork.web.urls")),
]
