"""The project's URLs plus one route the table does not know: the matrix must notice it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from gridwork.accounts.decorators import signed_in
from gridwork.registry.models import Person


@signed_in
def leaky_person(request: HttpRequest, pk: int) -> HttpResponse:
    # Deliberately unscoped: any signed-in user reads any person's name.
    return HttpResponse(get_object_or_404(Person, pk=pk).name)


urlpatterns = [
    path("leak/<int:pk>/", leaky_person, name="leak"),
    path("", include("gridwork.urls")),
]
