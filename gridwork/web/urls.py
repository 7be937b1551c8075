from django.urls import path, register_converter

from gridwork.web.views import areas, audit, auth, home, register


class AreaCodeConverter:
    """6, 9, 12 or 15 digits; anything else is not an area and answers 404 before any query."""

    regex = r"\d{6}(?:\d{3}){0,3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AreaCodeConverter, "areacode")

app_name = "web"
urlpatterns = [
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("", home.home, name="home"),
    path("areas/<areacode:code>/", areas.area_detail, name="area"),
    path("areas/<areacode:code>/people/", areas.area_people, name="area_people"),
    path("areas/<areacode:code>/organisations/", areas.area_organisations, name="area_organisations"),
    path("areas/<areacode:code>/objects/", areas.area_objects, name="area_objects"),
    path("buildings/<int:pk>/", register.building_detail, name="building"),
    path("households/<int:pk>/", register.household_detail, name="household"),
    path("people/<int:pk>/", register.person_detail, name="person"),
    path("people/<int:pk>/reveal/", register.person_reveal, name="person_reveal"),
    path("audit/", audit.audit_log, name="audit"),
]
