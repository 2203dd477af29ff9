"""The client's documents page: everything made for them, certificates by holder."""

urlpatterns = []
