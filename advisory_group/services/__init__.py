"""Writes of advisory_group (Advisory Group meetings, agendas, members' and the
group's advice, and packs): each service checks its rules and permissions,
then saves or calls ``accreditation.workflow.move()``."""
