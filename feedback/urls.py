"""The staff pages of feedback, under /staff/."""

urlpatterns = []
