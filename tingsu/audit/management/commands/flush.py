"""Django's `flush`, allowed to empty the append-only audit tables.

The audit tables' triggers refuse DELETE and TRUNCATE unless a maintenance guard is set
(see audit migration 0005). Emptying the whole database is the one legitimate case
(tests between transactional cases, a fresh start), so this command sets the guard for
its own statements only and clears it afterwards.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from tingsu.audit.maintenance import audit_maintenance


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with audit_maintenance(connection):
            return super().handle(**options)
