"""Who may do what in assessments: its ``rules`` predicates, object-level, on the
case roles that ``accreditation.case_roles`` resolves. Added with the pages
that use them."""
