"""Writes of feedback (letters (decision, feedback, screening, concern
response) and concerns): each service checks its rules and permissions, then
saves or calls ``accreditation.workflow.move()``."""
