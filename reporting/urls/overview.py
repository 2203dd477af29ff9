"""The consultancy's overview across clients, with the health flags that need action."""

from django.urls import path

from ..views import overview

urlpatterns = [
    path("workspace/overview/", overview.OverviewView.as_view(), name="overview"),
]
