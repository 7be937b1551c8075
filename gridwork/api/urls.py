from django.urls import path

from gridwork.api.main import api

urlpatterns = [path("", api.urls)]
