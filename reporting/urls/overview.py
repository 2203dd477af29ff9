"""The consultancy's overview across clients, with the health flags that need action."""

urlpatterns = []
