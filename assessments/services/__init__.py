"""Writes of assessments (conflicts, screening, assignment, scores, information
requests, recommendation and quality assurance): each service checks its
rules and permissions, then saves or calls
``accreditation.workflow.move()``."""
