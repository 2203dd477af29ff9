"""The periodic report: drafted by beat, approved by the project leader, mailed to the client."""

urlpatterns = []
