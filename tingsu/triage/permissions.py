"""Who may change whose duty status: agents their own, supervisors their department's
agents, admins anyone's. Anything else is not found (no hint that the agent exists)."""

from tingsu.accounts.models import Role, User
from tingsu.cases.permissions import check_staff_can_act
from tingsu.core.errors import NotFound


def can_manage_duty(user: User) -> bool:
    return user.is_superuser or user.role in (Role.SUPERVISOR, Role.ADMIN)


def access_agent_duty(*, user: User, agent_id: int) -> User:
    check_staff_can_act(user)
    agent = User.objects.filter(pk=agent_id, is_active=True).first()
    if agent is None:
        raise NotFound("Agent not found")
    if agent.pk == user.pk:
        return agent
    if agent.role != Role.AGENT:
        raise NotFound("Agent not found")
    if user.is_superuser or user.role == Role.ADMIN:
        return agent
    if (
        user.role == Role.SUPERVISOR
        and user.department_id
        and (agent.department_id == user.department_id)
    ):
        return agent
    raise NotFound("Agent not found")
