"""The demo company's staff logins. Kept free of Django imports so the run command,
the Makefile and the README can print them."""

from dataclasses import dataclass

DEMO_PASSWORD = "tingsu-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str  # a tingsu.accounts.models.Role value
    department: str | None  # a demo department code
    team: str | None = None
    is_superuser: bool = False
    title: str = ""


# fmt: off
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "系统管理员", "admin", None, is_superuser=True, title="Administrator"),
    DemoLogin("zhangwei", "张伟", "supervisor", "service", "投诉专席组",
              title="Supervisor, 客服中心"),
    DemoLogin("lina", "李娜", "agent", "service", "一线客服组", title="Agent, 客服中心"),
    DemoLogin("wangfang", "王芳", "agent", "service", "一线客服组", title="Agent, 客服中心"),
    DemoLogin("sunli", "孙丽", "supervisor", "logistics", "配送协调组", title="Supervisor, 物流部"),
    DemoLogin("chenjie", "陈杰", "agent", "logistics", "配送协调组", title="Agent, 物流部"),
    DemoLogin("zhouqiang", "周强", "agent", "quality", None, title="Agent, 质量部"),
    DemoLogin("zhaomin", "赵敏", "compliance", None, title="Compliance officer"),
)
# fmt: on


def demo_logins_text() -> str:
    """A small table of the demo logins, for the console and the README."""
    width = max(len(login.username) for login in DEMO_LOGINS)
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for login in DEMO_LOGINS:
        lines.append(f"  {login.username:<{width}}  {login.title} ({login.display_name})")
    return "\n".join(lines)
