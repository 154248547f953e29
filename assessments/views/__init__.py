"""The staff pages of assessments: thin views on
``accreditation.access.StaffAreaMixin`` that parse the request, call a query
or a service, and render."""
