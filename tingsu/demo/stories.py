"""The demo's case histories, played through the case services with a moving clock.

Each story is a list of timed steps (create, assign, reply, note, wait, resolve, close,
reopen, withdraw, reject, transfer, merge). Stories are planned first, then shifted by
whole days so that each lands inside the last 90 days with its times of day intact, and
finally all steps of all stories run in time order under time-machine. Timeline events,
audit entries and case numbers therefore carry believable dates, and ids grow with time.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from tingsu.cases.models import Case, Channel, Priority, Severity, Status
from tingsu.cases.services import (
    Actor,
    case_add_message,
    case_add_note,
    case_assign,
    case_create,
    case_merge,
    case_transfer,
    case_transition,
    case_update_fields,
)
from tingsu.cases.workflow import Action
from tingsu.customers.models import Customer, Tier
from tingsu.demo import texts
from tingsu.demo.company import Company

DEFAULT_CASES = 300
DEFAULT_SEED = 20261123
HISTORY_DAYS = 90
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Share of each final status among the demo's cases.
STATUS_SHARES = {
    Status.CLOSED: 48,
    Status.RESOLVED: 7,
    Status.IN_PROGRESS: 11,
    Status.WAITING_CUSTOMER: 6,
    Status.ASSIGNED: 4,
    Status.NEW: 6,
    Status.WITHDRAWN: 6,
    Status.REJECTED: 6,
    Status.MERGED: 6,
}
CHANNEL_SHARES = {
    Channel.PORTAL: 28,
    Channel.WECHAT: 24,
    Channel.PHONE: 20,
    Channel.API: 12,
    Channel.EMAIL: 10,
    Channel.SMS: 6,
}
TOPIC_SHARES = {
    "quality-damaged": 14,
    "quality-counterfeit": 5,
    "quality-defect": 10,
    "delivery-late": 16,
    "delivery-lost": 7,
    "delivery-courier": 6,
    "aftersales-refund-slow": 10,
    "aftersales-return-refused": 7,
    "store-attitude": 5,
    "store-queue": 3,
    "pricing-protection": 6,
    "pricing-coupon": 6,
    "payment-double-charge": 5,
}
# Departments with people in the demo; cases of the others are worked by 客服中心.
STAFFED = {
    # department: (supervisor or None, agents)
    "service": ("zhangwei", ("lina", "wangfang")),
    "logistics": ("sunli", ("chenjie",)),
    "quality": (None, ("zhouqiang",)),
}
INTAKE_AGENTS = ("lina", "wangfang")
TERMINAL_KINDS = {"resolve", "withdraw", "reject", "merge"}


@dataclass
class CustomerSpec:
    name: str
    phone: str
    email: str
    openid: str
    number: str
    tier: str
    region: str
    honorific: str
    obj: Customer | None = None


@dataclass
class Step:
    at: datetime
    kind: str
    run: Callable[[], None]


@dataclass
class Story:
    index: int
    status: Status
    topic: str
    channel: Channel
    severity: Severity
    priority: Priority
    customer: CustomerSpec | None = None
    escalation: str = ""
    duplicate_of: "Story | None" = None
    handler: str = ""
    steps: list[Step] = field(default_factory=list)
    ctx: dict[str, str] = field(default_factory=dict)
    subject: str = ""
    description: str = ""
    order_number: str = ""
    case: Case | None = None

    @property
    def start(self) -> datetime:
        return self.steps[0].at

    @property
    def end(self) -> datetime:
        return self.steps[-1].at

    def terminal_at(self) -> datetime | None:
        return next((s.at for s in self.steps if s.kind in TERMINAL_KINDS), None)

    def shift(self, delta: timedelta) -> None:
        for step in self.steps:
            step.at += delta


def status_counts(total: int) -> dict[Status, int]:
    """Cases per final status: proportional (largest remainder), at least one of each
    when there are enough cases."""
    weight = sum(STATUS_SHARES.values())
    raw = {s: total * w / weight for s, w in STATUS_SHARES.items()}
    counts = {s: int(r) for s, r in raw.items()}
    if total >= len(counts):
        counts = {s: max(1, c) for s, c in counts.items()}
    by_remainder = sorted(counts, key=lambda s: raw[s] - int(raw[s]), reverse=True)
    i = 0
    while sum(counts.values()) < total:
        counts[by_remainder[i % len(by_remainder)]] += 1
        i += 1
    while sum(counts.values()) > total:
        counts[max(counts, key=counts.get)] -= 1
    return {s: c for s, c in counts.items() if c}


class DemoPlanner:
    """Plans the stories; `play()` runs them through the services."""

    def __init__(self, *, company: Company, cases: int, seed: int, now: datetime):
        self.company = company
        self.rng = random.Random(seed)
        self.now = now
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.total = cases
        self.stories: list[Story] = []
        self._customer_seq = 0

    # -- planning ---------------------------------------------------------------------------

    def plan(self) -> list[Story]:
        counts = status_counts(self.total)
        merged = counts.pop(Status.MERGED, 0)
        statuses = [s for s, n in counts.items() for _ in range(n)]
        self.rng.shuffle(statuses)
        for status in statuses:
            story = self._new_story(status)
            self._plan_steps(story)
            self._place(story)
            self.stories.append(story)
        self._assign_customers()
        for _ in range(merged):
            self._plan_duplicate()
        for story in self.stories:
            self._write_texts(story)
        return self.stories

    def _pick(self, shares: dict) -> object:
        keys = list(shares)
        return self.rng.choices(keys, weights=[shares[k] for k in keys])[0]

    def _new_story(self, status: Status, *, topic: str | None = None) -> Story:
        rng = self.rng
        severity = rng.choices(
            [Severity.NORMAL, Severity.URGENT, Severity.MAJOR], weights=[72, 22, 6]
        )[0]
        priority = {
            Severity.MAJOR: Priority.P1,
            Severity.URGENT: Priority.P2,
            Severity.NORMAL: Priority.P4 if rng.random() < 0.15 else Priority.P3,
        }[severity]
        if topic is None:
            shares = TOPIC_SHARES
            if status == Status.NEW:
                # Unworked backlog gathers in the departments without demo staff.
                shares = {t: w * (3 if self._unstaffed(t) else 1) for t, w in shares.items()}
            topic = self._pick(shares)
        story = Story(
            index=len(self.stories),
            status=status,
            topic=topic,
            channel=self._pick(CHANNEL_SHARES),
            severity=severity,
            priority=priority,
        )
        if rng.random() < 0.12:
            story.escalation = rng.choice(texts.ESCALATIONS)
            story.severity = Severity.NORMAL  # raised by the supervisor on the timeline
            story.priority = Priority.P3
        return story

    def _department_of(self, story: Story) -> str:
        return self.company.categories[story.topic].default_department.code

    def _unstaffed(self, topic: str) -> bool:
        return self.company.categories[topic].default_department.code not in STAFFED

    def _handler_for(self, dept: str) -> tuple[str, str]:
        """(handler, assigner) for a case worked in `dept`."""
        supervisor, agents = STAFFED[dept]
        if supervisor and self.rng.random() < 0.12:
            return supervisor, supervisor
        agent = self.rng.choice(agents)
        if supervisor and self.rng.random() < 0.6:
            return agent, supervisor
        return agent, agent

    def _plan_steps(self, story: Story) -> None:
        rng = self.rng
        # Provisional start, 100 days back at a daytime hour; `_place` moves it by whole days.
        day = timezone.localtime(self.now - 100 * DAY, self.tz).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        hour = rng.choices(range(24), weights=HOURLY_INTAKE)[0]
        t = day + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))
        dept = self._department_of(story)
        work_dept = dept if dept in STAFFED else "service"
        phone = story.channel == Channel.PHONE
        intake = rng.choice(INTAKE_AGENTS) if phone else ""
        # Phone calls are taken by 客服中心; so are cases of departments without people.
        front_line = phone or (dept != work_dept and story.status != Status.NEW)
        created_in = "service" if front_line else ""
        story.handler, assigner = self._handler_for(work_dept)
        if phone and work_dept == "service" and rng.random() < 0.7:
            story.handler = assigner = intake
        status = story.status

        self._add(story, t, "create", lambda: self._do_create(story, intake, created_in))
        t = self._later(t, 3, 25)
        if story.status == Status.NEW:
            if phone and dept != "service":
                self._add(story, t, "transfer", lambda: self._do_transfer(story, intake, dept))
            return
        if phone and work_dept != "service":
            self._add(story, t, "transfer", lambda: self._do_transfer(story, intake, work_dept))
            t = self._staff_time(self._later(t, 10, 120))
        if status == Status.WITHDRAWN and rng.random() < 0.25:
            self._customer_step(story, self._later(t, 30, 600), "withdraw", self._do_withdraw)
            return
        if status == Status.REJECTED and rng.random() < 0.4:
            actor = STAFFED[work_dept][0] or story.handler
            t = self._staff_time(self._later(t, 20, 240))
            self._add(story, t, "reject", lambda: self._do_reject(story, actor))
            return

        t = self._staff_time(self._later(t, 5, 90))
        self._add(story, t, "assign", lambda: self._do_assign(story, assigner))
        if story.escalation and rng.random() < 0.7 and assigner in ("zhangwei", "sunli"):
            t = self._later(t, 2, 30)
            self._add(story, t, "raise", lambda: self._do_raise(story, assigner))
        if status == Status.ASSIGNED:
            return
        if status == Status.REJECTED:
            t = self._staff_time(self._later(t, 20, 300))
            self._add(story, t, "reject", lambda: self._do_reject(story, story.handler))
            return

        t = self._staff_time(self._later(t, 20, 300))
        self._add(story, t, "reply", lambda: self._do_reply(story, texts.FIRST_REPLIES))
        if status == Status.WITHDRAWN:
            self._customer_step(story, self._later(t, 60, 2880), "withdraw", self._do_withdraw)
            return
        if rng.random() < 0.35:
            t = self._staff_time(self._later(t, 60, 1200))
            self._add(story, t, "note", lambda: self._do_note(story))
        if status == Status.IN_PROGRESS:
            if rng.random() < 0.5:
                t = self._later(t, 600, 2880)
                self._customer_step(story, t, "nudge", self._do_nudge)
                t = self._staff_time(self._later(t, 20, 240))
                self._add(story, t, "reply", lambda: self._do_reply(story, texts.FOLLOW_UPS))
            return
        waits = status == Status.WAITING_CUSTOMER or rng.random() < 0.35
        if waits:
            t = self._staff_time(self._later(t, 30, 1440))
            self._add(story, t, "ask", lambda: self._do_ask(story))
            if status == Status.WAITING_CUSTOMER:
                return
            t = self._later(t, 180, 2880)
            self._customer_step(story, t, "answer", self._do_answer)
        t = self._staff_time(self._later(t, 240, 5760))
        self._add(story, t, "resolve", lambda: self._do_resolve(story))
        if status == Status.RESOLVED:
            return
        if rng.random() < 0.12:
            t = self._later(t, 240, 4320)
            self._customer_step(story, t, "reopen", self._do_reopen)
            t = self._staff_time(self._later(t, 30, 600))
            self._add(story, t, "reply", lambda: self._do_reply(story, texts.FOLLOW_UPS))
            t = self._staff_time(self._later(t, 240, 2880))
            self._add(story, t, "resolve", lambda: self._do_resolve(story))
        if rng.random() < 0.4:
            t = self._later(t, 120, 2880)
            self._customer_step(story, t, "thanks", self._do_thanks)
            t = self._staff_time(self._later(t, 10, 180))
            self._add(story, t, "close", lambda: self._do_close(story, story.handler))
        else:
            days = settings.TINGSU["AUTO_CLOSE_AFTER_DAYS"]
            t = t + days * DAY + timedelta(minutes=rng.randint(1, 10))
            self._add(story, t, "close", lambda: self._do_close(story, None))

    def _add(self, story: Story, at: datetime, kind: str, run: Callable[[], None]) -> None:
        if story.steps and at <= story.steps[-1].at:
            at = story.steps[-1].at + MINUTE
        story.steps.append(Step(at, kind, run))

    def _customer_step(self, story: Story, at: datetime, kind: str, fn) -> None:
        self._add(story, at, kind, lambda: fn(story))

    def _later(self, t: datetime, lo_minutes: int, hi_minutes: int) -> datetime:
        return t + timedelta(minutes=self.rng.randint(lo_minutes, hi_minutes))

    def _staff_time(self, t: datetime) -> datetime:
        """Staff work 09:00-21:00 local; later moves to the next morning."""
        local = timezone.localtime(t, self.tz)
        morning = local.replace(hour=9, minute=0, second=0, microsecond=0)
        jitter = timedelta(minutes=self.rng.randint(0, 50), seconds=self.rng.randrange(60))
        if local.hour < 9:
            return morning + jitter
        if local.hour >= 21:
            return morning + DAY + jitter
        return t

    def _age_range(self, story: Story) -> tuple[float, float]:
        """How many days ago the story may start, given its length in days."""
        length = (story.end - story.start) / DAY
        horizon = HISTORY_DAYS - 0.5
        return {
            Status.NEW: (0.0, 4.0),
            Status.ASSIGNED: (length, length + 5),
            # Some open cases are old: the backlog ages, as real backlogs do.
            Status.IN_PROGRESS: (length, length + 30),
            Status.WAITING_CUSTOMER: (length + 0.2, length + 25),
            # Resolved cases close automatically a week later, so they are all recent.
            Status.RESOLVED: (length, length + 6.5),
        }.get(story.status, (length, horizon))

    def _place(self, story: Story) -> None:
        """Shift the story by whole days so it starts inside its age range and ends by now."""
        lo, hi = self._age_range(story)
        target = self.now - timedelta(days=self.rng.uniform(lo, max(lo, hi)))
        story.shift(DAY * round((target - story.start) / DAY))
        while story.end > self.now - MINUTE:
            story.shift(-DAY)
        while self.now - story.start > HISTORY_DAYS * DAY and story.end + DAY < self.now:
            story.shift(DAY)

    def _assign_customers(self) -> None:
        rng = self.rng
        stories = list(self.stories)
        rng.shuffle(stories)
        regulars = max(1, self.total // 25)
        queue: list[CustomerSpec] = []
        for i in range(regulars):
            tier = Tier.VIP if i % 4 == 0 else Tier.GOLD if i % 4 == 1 else Tier.STANDARD
            queue += [self._new_customer(tier)] * rng.randint(3, 5)
        for story in stories:
            if queue:
                story.customer = queue.pop()
                continue
            roll = rng.random()
            tier = (
                Tier.VIP
                if roll < 0.03
                else Tier.GOLD
                if roll < 0.12
                else Tier.SILVER
                if roll < 0.28
                else Tier.STANDARD
            )
            story.customer = self._new_customer(tier)

    def _new_customer(self, tier: str) -> CustomerSpec:
        rng = self.rng
        self._customer_seq += 1
        n = self._customer_seq
        surname = rng.choice(texts.SURNAMES)
        given = rng.choice(texts.GIVEN_NAMES)
        return CustomerSpec(
            name=surname + given,
            phone=f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
            email=f"yj{n:04d}.{rng.randint(100, 999)}@example.com",
            openid="oYJ" + "".join(rng.choices("abcdefghijkmnpqrstuvwxyz0123456789", k=25)),
            number=f"M{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else "",
            tier=tier,
            region=rng.choice(texts.CITIES),
            honorific=surname + rng.choice(("先生", "女士")),
        )

    def _plan_duplicate(self) -> None:
        """A customer files the same complaint again; an agent merges it into the first."""
        rng = self.rng
        candidates = [
            s
            for s in self.stories
            if s.duplicate_of is None
            and s.status not in (Status.REJECTED, Status.WITHDRAWN)
            and any(step.kind == "assign" for step in s.steps)
        ]
        rng.shuffle(candidates)
        for target in candidates:
            created = target.start + timedelta(minutes=rng.randint(60, 720))
            merge_at = self._staff_time(self._later(created, 20, 240))
            assigned = next(s.at for s in target.steps if s.kind == "assign")
            merge_at = max(merge_at, assigned + MINUTE)
            terminal = target.terminal_at()
            if merge_at > self.now - MINUTE or (terminal and merge_at >= terminal - HOUR):
                continue
            story = self._new_story(Status.MERGED, topic=target.topic)
            story.channel = rng.choice([c for c in CHANNEL_SHARES if c != target.channel])
            story.customer = target.customer
            story.duplicate_of = target
            story.handler = target.handler
            intake = rng.choice(INTAKE_AGENTS) if story.channel == Channel.PHONE else ""
            self._add(story, created, "create", lambda s=story, i=intake: self._do_create(s, i, ""))
            self._add(story, merge_at, "merge", lambda s=story: self._do_merge(s))
            self.stories.append(story)
            return
        # No open case to merge into: the customer gives up instead.
        story = self._new_story(Status.WITHDRAWN)
        self._plan_steps(story)
        self._place(story)
        story.customer = self._new_customer(Tier.STANDARD)
        self.stories.append(story)

    def _write_texts(self, story: Story) -> None:
        rng = self.rng
        topic = texts.TOPICS[story.topic]
        courier, prefix = rng.choice(texts.COURIERS)
        ordered = timezone.localtime(story.start, self.tz) - DAY * rng.randint(1, 12)
        story.order_number = f"YJ{ordered:%Y%m%d}{rng.randint(0, 999_999):06d}"
        story.ctx = {
            "product": rng.choice(topic.products),
            "order": story.order_number,
            "courier": courier,
            "tracking": f"{prefix}{rng.randint(10**11, 10**12 - 1)}",
            "store": rng.choice(texts.STORES),
            "city": story.customer.region if story.customer else rng.choice(texts.CITIES),
            "amount": str(rng.choice((39, 59, 89, 129, 199, 259, 399, 599, 899, 1299, 2499))),
            "days": str(rng.randint(3, 9)),
            "company": texts.COMPANY,
            "name": story.customer.honorific if story.customer else "",
        }
        if story.duplicate_of:
            original = story.duplicate_of
            story.ctx.update(original.ctx)
            story.order_number = original.order_number
            story.subject = original.subject
            story.description = rng.choice(texts.DUPLICATE_PREFIXES) + original.description
            return
        story.subject = self._fill(rng.choice(topic.subjects), story)
        story.description = self._fill(rng.choice(topic.descriptions), story)
        if story.escalation:
            story.description += story.escalation

    def _fill(self, template: str, story: Story, **extra: str) -> str:
        return template.format(**{**story.ctx, **extra})

    # -- playing ----------------------------------------------------------------------------

    def play(self) -> None:
        # Imported here so that importing the demo never needs time-machine; running it does.
        import time_machine

        steps = sorted(
            (
                (step.at, story.index, i, step)
                for story in self.stories
                for i, step in enumerate(story.steps)
            ),
            key=lambda item: item[:3],
        )
        with time_machine.travel(steps[0][0] if steps else self.now, tick=False) as clock:
            for at, _, _, step in steps:
                clock.move_to(at)
                step.run()

    def _staff(self, username: str) -> Actor:
        return Actor.staff(self.company.staff[username])

    def _customer(self, story: Story) -> Customer:
        spec = story.customer
        if spec.obj is None:
            spec.obj = Customer.objects.create(
                name=spec.name,
                phone=spec.phone,
                email=spec.email,
                wechat_openid=spec.openid,
                customer_number=spec.number,
                tier=spec.tier,
                region=spec.region,
            )
        return spec.obj

    def _do_create(self, story: Story, intake: str, created_in: str) -> None:
        customer = self._customer(story)
        tags = []
        if customer.tier == Tier.VIP:
            tags.append("VIP")
            story.priority = max(Priority.P1, story.priority - 1)
        if story.duplicate_of:
            tags.append("重复投诉")
        story.case, _ = case_create(
            actor=self._staff(intake) if intake else Actor.customer(customer),
            customer=customer,
            channel=story.channel,
            subject=story.subject,
            description=story.description,
            category=self.company.categories[story.topic],
            severity=story.severity,
            priority=story.priority,
            department=self.company.departments[created_in] if created_in else None,
            order_number=story.order_number,
            tags=tags,
        )

    def _do_transfer(self, story: Story, actor: str, dept: str) -> None:
        reason = self.rng.choice(texts.TRANSFER_REASONS[dept])
        case_transfer(
            actor=self._staff(actor),
            case=story.case,
            department=self.company.departments[dept],
            reason=reason,
        )

    def _do_assign(self, story: Story, assigner: str) -> None:
        case_assign(
            actor=self._staff(assigner),
            case=story.case,
            assignee=self.company.staff[story.handler],
        )

    def _do_raise(self, story: Story, supervisor: str) -> None:
        actor = self._staff(supervisor)
        case_update_fields(
            actor=actor,
            case=story.case,
            changes={"priority": Priority.P1, "severity": Severity.URGENT},
        )
        case_add_note(actor=actor, case=story.case, body=texts.PRIORITY_NOTE)

    def _agent_name(self, story: Story) -> str:
        return self.company.staff[story.handler].display_name

    def _do_reply(self, story: Story, choices: tuple[str, ...]) -> None:
        body = self._fill(self.rng.choice(choices), story, agent=self._agent_name(story))
        case_add_message(actor=self._staff(story.handler), case=story.case, body=body)

    def _do_note(self, story: Story) -> None:
        body = self._fill(self.rng.choice(texts.TOPICS[story.topic].notes), story)
        case_add_note(actor=self._staff(story.handler), case=story.case, body=body)

    def _do_ask(self, story: Story) -> None:
        actor = self._staff(story.handler)
        body = self._fill(self.rng.choice(texts.TOPICS[story.topic].asks), story)
        case_add_message(actor=actor, case=story.case, body=body)
        case_transition(actor=actor, case=story.case, action=Action.WAIT_CUSTOMER)

    def _customer_says(self, story: Story, choices: tuple[str, ...]) -> None:
        body = self._fill(self.rng.choice(choices), story)
        case_add_message(actor=Actor.customer(self._customer(story)), case=story.case, body=body)

    def _do_answer(self, story: Story) -> None:
        self._customer_says(story, texts.TOPICS[story.topic].answers)

    def _do_nudge(self, story: Story) -> None:
        self._customer_says(story, texts.CUSTOMER_NUDGES)

    def _do_thanks(self, story: Story) -> None:
        self._customer_says(story, texts.CUSTOMER_THANKS)

    def _do_resolve(self, story: Story) -> None:
        code, cause, summary = self.rng.choice(texts.TOPICS[story.topic].outcomes)
        case_transition(
            actor=self._staff(story.handler),
            case=story.case,
            action=Action.RESOLVE,
            resolution_code=self.company.resolution_codes[code],
            root_cause=self.company.root_causes[cause],
            summary=self._fill(summary, story),
        )

    def _do_reopen(self, story: Story) -> None:
        story.case.refresh_from_db(fields=["resolution_code"])
        reasons = texts.REOPEN_REASONS.get(
            story.case.resolution_code.code, texts.REOPEN_REASONS["other"]
        )
        case_transition(
            actor=Actor.customer(self._customer(story)),
            case=story.case,
            action=Action.REOPEN,
            reason=self._fill(self.rng.choice(reasons), story),
        )

    def _do_close(self, story: Story, username: str | None) -> None:
        actor = self._staff(username) if username else Actor.system("scheduler")
        case_transition(actor=actor, case=story.case, action=Action.CLOSE)

    def _do_withdraw(self, story: Story) -> None:
        case_transition(
            actor=Actor.customer(self._customer(story)),
            case=story.case,
            action=Action.WITHDRAW,
            reason=self.rng.choice(texts.WITHDRAW_REASONS),
        )

    def _do_reject(self, story: Story, username: str) -> None:
        case_transition(
            actor=self._staff(username),
            case=story.case,
            action=Action.REJECT,
            reason=self._fill(self.rng.choice(texts.REJECT_REASONS), story),
        )

    def _do_merge(self, story: Story) -> None:
        case_merge(actor=self._staff(story.handler), case=story.case, into=story.duplicate_of.case)


# Relative chance of a complaint arriving in each local hour (evenings are busy).
HOURLY_INTAKE = (
    1, 1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 6, 7, 8, 9, 9, 6, 3,
)  # fmt: skip
