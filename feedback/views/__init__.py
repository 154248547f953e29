"""The staff pages of feedback: thin views on
``accreditation.access.StaffAreaMixin`` that parse the request, call a query
or a service, and render."""
