"""The load generator, run as its own process so it never shares a CPU slot or a GIL with
the server it measures: `python -m bench.perf.load < plan.json > results.json`.

A plan holds the base URL, headers per operation (a Cookie header for pages, a key for the
API), one intake phase (POSTs for a fixed
time at a fixed concurrency, capped in count) and read operations (a fixed number of
samples each, after a short warm-up). A sample is one or more GETs done in a row (a
page and the data request it makes), timed together. Only the standard library and
httpx, so the peer benchmark uses the same client.
"""

import json
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
SUBJECTS = (
    "快递送来的电饭煲外壳碎了",
    "退款申请提交七天了还没到账",
    "门店店员态度恶劣",
    "订单显示已签收但我没有收到",
    "优惠券结算时没有生效",
    "同一笔订单被重复扣款",
)
SENTENCES = (
    "我在你们的 App 上下单，收到货打开一看就发现问题了。",
    "已经联系过在线客服两次，都说会有人回电，但一直没有消息。",
    "订单页面显示的状态和实际情况完全不一致。",
    "希望你们尽快给我一个明确的处理方案，而不是一直让我等待。",
    "我的诉求很简单：退款或者换一件没有问题的，请给我一个准确的时间。",
    "照片和视频我都拍好了，可以随时提供给你们核实。",
    "如果三天内不解决，我会向12315投诉。",
    "家里老人急着用，耽误了好几天，给我们的生活带来了很大的不便。",
)


def complaint(rng: random.Random, n: int) -> tuple[str, str, str, str]:
    """(name, phone, subject, description) of a plausible new complaint."""
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = f"1{rng.choice('3589')}{rng.randint(0, 10**9 - 1):09d}"
    text = "".join(rng.sample(SENTENCES, rng.randint(2, 4)))
    return name, phone, rng.choice(SUBJECTS), f"订单 YJ{n:010d}：{text}"


def body_for(kind: str, rng: random.Random, n: int, extra: dict) -> dict:
    name, phone, subject, description = complaint(rng, n)
    if extra.get("marker") and rng.random() < 0.01:
        # The searched term is in 1% of the seeded cases; new complaints carry it as often.
        description += f"我买的{extra['marker']}也有同样的问题。"
    if kind == "tingsu":
        customer = {"name": name, "phone": phone}
        if n % 2:  # half give an email too, where the "received" notice goes
            customer["email"] = f"c{n}.{rng.randint(0, 10**6)}@example.com"
        return {
            "json": {
                "customer": customer,
                "subject": subject,
                "description": description,
            }
        }
    # django-helpdesk's REST API (the path its own integrations use).
    return {
        "json": {
            "queue": extra["queue"],
            "title": subject,
            "description": description,
            "submitter_email": f"c{n}.{rng.randint(0, 10**6)}@example.com",
            "priority": 3,
        }
    }


def run_intake(client: httpx.Client, spec: dict) -> dict:
    deadline = time.monotonic() + spec["seconds"]
    cap = spec.get("max_requests", 100_000)
    lock = threading.Lock()
    counter = {"sent": 0, "ok": 0, "failed": 0, "statuses": {}}
    latencies: list[float] = []

    def worker(index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < deadline:
            with lock:
                if counter["sent"] >= cap:
                    return
                counter["sent"] += 1
                n = counter["sent"]
            kwargs = body_for(spec["body"], rng, n * 100 + index, spec.get("extra", {}))
            started = time.perf_counter()
            try:
                response = client.post(spec["path"], headers=spec.get("headers", {}), **kwargs)
                code = response.status_code
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                counter["statuses"][str(code)] = counter["statuses"].get(str(code), 0) + 1
                if isinstance(code, int) and 200 <= code < 300:
                    counter["ok"] += 1
                else:
                    counter["failed"] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(spec["concurrency"]) as pool:
        list(pool.map(worker, range(spec["concurrency"])))
    seconds = time.monotonic() - started
    return {
        "name": "intake",
        "seconds": round(seconds, 2),
        "concurrency": spec["concurrency"],
        "ok": counter["ok"],
        "failed": counter["failed"],
        "statuses": counter["statuses"],
        "per_second": round(counter["ok"] / seconds, 1) if seconds else 0.0,
        **percentiles(latencies),
    }


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"p50_ms": None, "p95_ms": None, "samples": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "samples": len(ordered),
    }


def run_reads(client: httpx.Client, op: dict, requests: int, warmup: int, budget: float) -> dict:
    """`op["samples"]` is a list of URL sequences, used round-robin. Sampling stops early
    once the operation has taken `budget` seconds, so a very slow page cannot stall an
    unattended run; the result says how many samples it got."""
    sequences = op["samples"]
    headers = op.get("headers", {})
    latencies, failures = [], {}
    deadline = time.monotonic() + budget
    for i in range(warmup + requests):
        if time.monotonic() > deadline:
            break
        urls = sequences[i % len(sequences)]
        started = time.perf_counter()
        ok = True
        for url in urls:
            try:
                response = client.get(url, headers=headers)
                code = response.status_code
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            if code != 200:
                ok = False
                failures[str(code)] = failures.get(str(code), 0) + 1
        elapsed = time.perf_counter() - started
        if i >= warmup and ok:
            latencies.append(elapsed)
    return {"name": op["name"], "failed": sum(failures.values()), "statuses": failures} | (
        percentiles(latencies)
    )


def main() -> None:
    plan = json.load(sys.stdin)
    limits = httpx.Limits(max_connections=plan["intake"]["concurrency"] + 2)
    results = []
    with httpx.Client(
        base_url=plan["base_url"],
        headers=plan.get("headers", {}),
        timeout=plan.get("timeout", 30),
        limits=limits,
        follow_redirects=False,
    ) as client:
        if plan["intake"]["seconds"] > 0:
            results.append(run_intake(client, plan["intake"]))
        for op in plan["ops"]:
            results.append(
                run_reads(client, op, plan["requests"], plan["warmup"], plan["op_seconds"])
            )
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
