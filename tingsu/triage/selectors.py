"""Triage reads: agents' duty status and load for the duty page."""

from tingsu.accounts.models import Role, User
from tingsu.triage.assignment import with_open_loads


def agents_with_load(
    *, department_id: int | None = None, agent_id: int | None = None
) -> list[User]:
    """Active agents (of one department, or all; or the one agent), each with .load
    (severity weighted open cases, as assignment counts it) and .open_count; the routing
    profile and the department are joined.

    Two reads, as assignment.candidates does: the agents, then their open cases' loads
    through the (assignee, status) index. Joined in one statement, PostgreSQL read every
    case of every agent, open or not, before it grouped them."""
    users = User.objects.filter(role=Role.AGENT, is_active=True)
    if department_id is not None:
        users = users.filter(department_id=department_id)
    if agent_id is not None:
        users = users.filter(pk=agent_id)
    agents = list(
        users.select_related("triage_profile", "department").order_by(
            "department__name", "display_name", "pk"
        )
    )
    return with_open_loads(agents)
