"""The staff pages of assessments, under /staff/."""

urlpatterns = []
