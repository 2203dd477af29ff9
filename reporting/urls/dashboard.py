"""The client's dashboards: per programme and across the client's programmes."""

urlpatterns = []
