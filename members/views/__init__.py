"""The members' own pages: applying, organisations, the directory, their membership.

Each module's views parse input, check permission (``core.access.permission_required``
with a check from ``members.permissions``), call one service and respond; a service's
``DomainError`` goes through ``core.views.errors.domain_errors``. URLs: ``urls.py``
(namespace ``members``).
"""
