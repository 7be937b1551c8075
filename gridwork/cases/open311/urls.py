"""Open311 GeoReport v2 under /open311/v2/: each resource with its format suffix (.json, .xml)."""

from django.urls import path

from gridwork.cases.open311 import views

app_name = "open311"
urlpatterns = [
    path("services.<slug:fmt>", views.service_list, name="services"),
    path("services/<str:service_code>.<slug:fmt>", views.service_definition, name="service"),
    path("requests.<slug:fmt>", views.requests_view, name="requests"),
    path("requests/<str:request_id>.<slug:fmt>", views.request_detail, name="request"),
    path("tokens/<str:token>.<slug:fmt>", views.token_view, name="token"),
]
