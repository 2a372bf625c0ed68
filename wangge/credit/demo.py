"""Demo data of the credit ledger (``make demo``): the rules, a store in each community with a
partner shop, and residents who earned and spent credit — all through the actions."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password

from wangge.core.actors import Actor
from wangge.org.models import User
from wangge.residents.models import Resident

from . import actions
from .choices import Awarder, RuleUnit
from .models import CreditRule, Merchant

RULES = [
    dict(code="volunteer-hour", name="志愿服务（每小时）", points=5, unit=RuleUnit.PER_HOUR, max_quantity=8,
         awarded_by=Awarder.COMMUNITY, expiry_months=12),
    dict(code="stairwell", name="最美楼道", points=20, awarded_by=Awarder.CHIEF),
    dict(code="meeting", name="参加议事协商会", points=5, awarded_by=Awarder.CHIEF, expiry_months=12),
    dict(code="hazard-report", name="隐患上报经核实", points=10, awarded_by=Awarder.SYSTEM,
         trigger_event="case_accepted", trigger_channels="wechat,qr_page,web"),
]
ITEMS = [("洗衣粉", 30, 40), ("食用油 1.8L", 80, 20), ("抽纸 10 包", 50, 30), ("鸡蛋 30 枚", 60, 25)]
SHOP_ITEMS = [("理发券", 40, 50)]
FAMILY = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = ["秀英", "建国", "桂兰", "志强", "丽娟", "海燕", "玉珍", "国庆", "淑华", "长青"]


def load_demo_data(*, world, rng, now) -> int:
    made = 0
    rules = {}
    for spec in RULES:
        rules[spec["code"]], created = CreditRule.objects.get_or_create(code=spec["code"], defaults=spec)
        made += created
    password = make_password("demo-shop")
    used = set(Resident.objects.values_list("phone", flat=True))
    for c, community in enumerate(world.communities):
        secretary = world.secretary(community)
        shop_user, _ = User.objects.get_or_create(username=f"shop{c + 1}", defaults=dict(
            display_name=f"{community.name}便民理发店", password=password))
        merchant, _ = Merchant.objects.get_or_create(user=shop_user, defaults=dict(
            name=f"{community.name}便民理发店", community=community))
        items = [actions.create_store_item(actor=secretary, community=community, name=n, price=p, stock=s)
                 for n, p, s in ITEMS]
        items += [actions.create_store_item(actor=secretary, community=community, name=n, price=p, stock=s,
                                            merchant=merchant) for n, p, s in SHOP_ITEMS]
        made += len(items) + 1
        grids = [g for g in world.grids if g.community.pk == community.pk]
        for r in range(12):
            grid = grids[r % len(grids)]
            phone = _phone(rng, used)
            resident = Resident.objects.create(name=rng.choice(FAMILY) + rng.choice(GIVEN), phone=phone)
            account = actions.open_account(actor=Actor.system(), region=grid.region, resident=resident)
            made += 2
            when = now - dt.timedelta(days=rng.randint(20, 170))
            # What the resident did, booked in the order it happened (the history reads by date).
            awards = [(min(now, when + dt.timedelta(days=20 * k)), dict(
                actor=secretary, rule=rules["volunteer-hour"], quantity=rng.randint(1, 6), note="社区志愿服务",
                request_key=f"demo:{account.pk}:v{k}")) for k in range(rng.randint(1, 4))]
            chief = grid.chief or grid.worker
            if chief is not None and rng.random() < 0.5:
                awards.append((when, dict(actor=chief, rule=rules["stairwell"], request_key=f"demo:{account.pk}:s")))
            awards.sort(key=lambda a: a[0])  # stable: at the same moment, in the order listed
            for at, award in awards:
                made += bool(actions.award_credit(account=account, now=min(now, at), **award))
            account.refresh_from_db()
            counter_items = [i for i in items if i.merchant_id is None and i.price <= account.balance]
            if counter_items and rng.random() < 0.6:
                # Never before the last award: the credit spent was earned first. (The random
                # draws are the ones the demo always made, so the rest of the demo stays the same.)
                item = rng.choice(counter_items)
                at = max(when + dt.timedelta(days=rng.randint(30, 60)), awards[-1][0] + dt.timedelta(days=1))
                actions.redeem_at_counter(actor=secretary, account=account, item=item,
                                          request_key=f"demo:{account.pk}:r", now=min(now, at))
                made += 2
            if rng.random() < 0.5:
                actions.set_leaderboard_opt_in(account=account, opt_in=True, actor=Actor.of_resident(resident))
    return made


def _phone(rng, used: set[str]) -> str:
    while True:
        phone = f"1{rng.choice('3579')}{rng.randint(0, 999999999):09d}"
        if phone not in used:
            used.add(phone)
            return phone
