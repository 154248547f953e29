"""The staff pages of advisory_group: thin views on
``accreditation.access.StaffAreaMixin`` that parse the request, call a query
or a service, and render."""
