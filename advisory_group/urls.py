"""The staff pages of advisory_group, under /staff/."""

urlpatterns = []
