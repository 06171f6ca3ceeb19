"""The demo company's configuration: departments, teams, staff, categories, resolution
codes and root causes. Every row is found or created by its code, so loading twice
changes nothing and an existing configuration is reused."""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from tingsu.accounts.models import Department, Team, User
from tingsu.cases.models import Category, ResolutionCode, RootCause
from tingsu.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD

DEPARTMENTS = (
    ("service", "客服中心"),
    ("logistics", "物流部"),
    ("quality", "质量部"),
    ("finance", "财务部"),
    ("stores", "门店运营"),
)

# (code, name, default department, children: (code, name, default department))
CATEGORIES = (
    (
        "quality",
        "商品质量",
        "quality",
        (
            ("quality-damaged", "破损", "service"),
            ("quality-counterfeit", "假冒", "quality"),
            ("quality-defect", "功能故障", "quality"),
        ),
    ),
    (
        "delivery",
        "物流配送",
        "logistics",
        (
            ("delivery-late", "延迟", "logistics"),
            ("delivery-lost", "丢件", "logistics"),
            ("delivery-courier", "快递员态度", "logistics"),
        ),
    ),
    (
        "aftersales",
        "售后退款",
        "service",
        (
            ("aftersales-refund-slow", "退款慢", "finance"),
            ("aftersales-return-refused", "退货被拒", "service"),
        ),
    ),
    (
        "store",
        "门店服务",
        "stores",
        (
            ("store-attitude", "服务态度", "stores"),
            ("store-queue", "排队", "stores"),
        ),
    ),
    (
        "pricing",
        "价格与促销",
        "service",
        (
            ("pricing-protection", "价保", "finance"),
            ("pricing-coupon", "优惠券", "service"),
        ),
    ),
    (
        "payment",
        "账户与支付",
        "finance",
        (("payment-double-charge", "重复扣款", "finance"),),
    ),
)

RESOLUTION_CODES = (
    ("refund", "退款"),
    ("exchange", "换货"),
    ("reship", "补发"),
    ("compensation", "赔偿"),
    ("explanation", "解释说明"),
    ("declined", "不予支持"),
)

ROOT_CAUSES = (
    ("packaging", "包装不当"),
    ("supplier-quality", "供应商质量"),
    ("carrier-delay", "承运商延误"),
    ("staff-service", "员工服务"),
    ("system-fault", "系统故障"),
    ("policy-misunderstanding", "政策理解偏差"),
    ("customer-side", "客户原因"),
)


@dataclass
class Company:
    departments: dict[str, Department] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    resolution_codes: dict[str, ResolutionCode] = field(default_factory=dict)
    root_causes: dict[str, RootCause] = field(default_factory=dict)
    new_staff: list[str] = field(default_factory=list)


def company_load() -> Company:
    company = Company()
    for code, name in DEPARTMENTS:
        # An existing department of the same code or name is the demo's own.
        dept = Department.objects.filter(Q(code=code) | Q(name=name)).order_by("id").first()
        company.departments[code] = dept or Department.objects.create(code=code, name=name)
    teams: dict[tuple[str, str], Team] = {}
    # One hash for every demo account: hashing is deliberately slow, the password is public.
    password = make_password(DEMO_PASSWORD)
    for login in DEMO_LOGINS:
        dept = company.departments[login.department] if login.department else None
        team = None
        if dept and login.team:
            key = (dept.code, login.team)
            if key not in teams:
                teams[key], _ = Team.objects.get_or_create(department=dept, name=login.team)
            team = teams[key]
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = User.objects.create(
                username=login.username,
                password=password,
                role=login.role,
                department=dept,
                team=team,
                display_name=login.display_name,
                email=f"{login.username}@yuejia.example",
                is_staff=login.is_superuser,
                is_superuser=login.is_superuser,
            )
            company.new_staff.append(login.username)
        company.staff[login.username] = user
    for order, (code, name, dept, children) in enumerate(CATEGORIES):
        parent = _category(code, name, company.departments[dept], None, order)
        company.categories[code] = parent
        for child_order, (child_code, child_name, child_dept) in enumerate(children):
            company.categories[child_code] = _category(
                child_code, child_name, company.departments[child_dept], parent, child_order
            )
    for code, name in RESOLUTION_CODES:
        company.resolution_codes[code], _ = ResolutionCode.objects.get_or_create(
            code=code, defaults={"name": name}
        )
    for code, name in ROOT_CAUSES:
        company.root_causes[code], _ = RootCause.objects.get_or_create(
            code=code, defaults={"name": name}
        )
    return company


def _category(
    code: str, name: str, dept: Department, parent: Category | None, order: int
) -> Category:
    category, _ = Category.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "parent": parent,
            "default_department": dept,
            "sort_order": order,
        },
    )
    return category
