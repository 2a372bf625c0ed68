"""Demo data of 三问三联三评 (called by ``make demo`` after the cases): chiefs for the demo grids,
buildings and units (a few left without one, so the coverage report has something to show),
households, ~40 resources, needs raised the three ways, services and ratings over the last
months, and the last quarter reviewed and published. Everything through this app's actions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Region, RoleAssignment
from wangge.residents.models import Household, Resident

from . import actions, selectors
from .choices import CompoundType, NeedScope, NeedSource, ResourceTier, SelectionMethod
from .models import Chief, NeedClass

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
# (tier, name, provider, classes, what it offers — the words the matcher finds in a need's text)
RESOURCES = [
    (ResourceTier.CONVENIENCE, "{c}放心粮店", "粮油店", ["convenience"], "代买、米、面、油、粮、送货上门"),
    (ResourceTier.CONVENIENCE, "{c}惠民超市", "连锁超市", ["convenience", "emergency"],
     "代买、米、面、油、日用品、送货上门、应急物资"),
    (ResourceTier.CONVENIENCE, "{c}家常菜馆(助餐点)", "个体餐馆", ["convenience", "elderly_care"], "助餐、送餐、老年餐、订餐"),
    (ResourceTier.CONVENIENCE, "{c}便民理发店", "个体", ["convenience", "elderly_care"], "理发、剪发、上门理发"),
    (ResourceTier.CONVENIENCE, "{c}家电维修部", "个体", ["convenience", "emergency"],
     "家电、维修、修理、水龙头、水管、停电、跳闸"),
    (ResourceTier.CIVIC, "{c}五色光志愿服务队", "志愿服务队", ["volunteer", "elderly_care", "emergency"],
     "志愿者、清理、打扫、探访、陪伴、独居老人、紧急联系、突发"),
    (ResourceTier.CIVIC, "{c}老党员调解工作室", "社区党委", ["legal_aid", "volunteer"], "调解、纠纷、邻里矛盾、租赁"),
    (ResourceTier.CIVIC, "{c}好人坊", "居民自组织", ["volunteer", "child_care", "culture_health"],
     "志愿者、帮忙、看护、孩子、放学、文体活动"),
    (ResourceTier.SOCIAL, "{c}社区卫生服务站", "卫健部门", ["culture_health", "elderly_care"],
     "健康、讲座、义诊、体检、疾病、慢病随访"),
]
SUBDISTRICT_RESOURCES = [
    ("鸿立方社会组织服务中心", "社会组织", ["volunteer", "culture_health", "child_care"],
     "志愿者、公益活动、讲座、托管、孩子、四点半课堂"),
    ("鸿助汇爱心企业联盟", "爱心企业", ["employment", "emergency"], "就业、岗位、招聘、应急物资、救助"),
    ("街道法律援助工作站", "司法所", ["legal_aid"], "法律、咨询、纠纷、租赁、合同、律师"),
    ("人社就业服务窗口", "人社部门", ["employment"], "就业、失业、技能、培训、社保"),
]
NEEDS = [
    ("elderly_care", "独居老人需要定期助餐送餐"), ("convenience", "想请人上门修理水龙头"),
    ("volunteer", "楼道杂物需要志愿者帮忙清理"), ("culture_health", "希望社区组织健康讲座"),
    ("child_care", "双职工家庭放学后孩子无人看护"), ("employment", "失业人员想参加技能培训"),
    ("legal_aid", "房屋租赁纠纷需要法律咨询"), ("emergency", "家中老人突发疾病需要紧急联系"),
    ("convenience", "腿脚不便，需要代买米面油"), ("elderly_care", "老人想理发但出不了门"),
]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice("秀桂建国志明丽华淑芬玉兰海涛") + rng.choice("英兰平军强芳敏")


def load_demo_data(*, world, rng, now) -> int:
    made = 0
    leader = world.user("leader")
    classes = {c.code: c for c in NeedClass.objects.all()}
    assignments = {a.user_id: a.region for a in RoleAssignment.objects.filter(
        role__in=[Role.BUILDING_CHIEF, Role.UNIT_CHIEF, Role.GRID_CHIEF]).select_related("region")}
    term_start = (now - dt.timedelta(days=400)).date()
    compounds = list(CompoundType.values)
    with transaction.atomic():
        # 三长: grid chiefs, building chiefs, unit chiefs (every 5th unit left open; some volunteers).
        users = sorted(world.users.values(), key=lambda u: u.username)
        for user in users:
            region = assignments.get(user.pk)
            if region is None or not user.username.startswith(("gridchief", "building", "unit")):
                continue
            community = region.ancestor_at(RegionLevel.COMMUNITY)
            secretary = world.secretary(next(c for c in world.communities if c.pk == community.pk))
            if user.username.startswith("unit") and int(user.username[4:]) % 5 == 0:
                continue
            person = dict(user=user)
            if user.username.startswith("unit") and int(user.username[4:]) % 3 == 0:
                phone = f"139{rng.randint(10000000, 99999999)}"
                resident = Resident.objects.filter(phone=phone).first() or Resident.objects.create(
                    name=_name(rng), phone=phone)
                person = dict(resident=resident)
            actions.appoint_chief(
                actor=secretary, region=region, selection_method=rng.choice(SelectionMethod.values),
                term_start=term_start, is_party_member=rng.random() < 0.5,
                compound_type="" if region.level == RegionLevel.GRID else rng.choice(compounds), **person)
            made += 1
        # Households: two per unit with a chief's building.
        units = list(Region.objects.filter(level=RegionLevel.UNIT, is_active=True).order_by("path"))
        households = {}
        for unit in units:
            for room in (rng.randint(1, 6) * 100 + 1, rng.randint(1, 6) * 100 + 2):
                hh = Household.objects.create(unit=unit, room=str(room))
                Resident.objects.create(name=_name(rng), phone=f"158{rng.randint(10000000, 99999999)}", household=hh)
                households.setdefault(unit.pk, []).append(hh)
                made += 2
        # 三联: ~40 resources.
        for k, community in enumerate(world.communities):
            grid = next((g for g in world.grids if g.community.pk == community.pk), None)
            lng, lat = grid.random_point(rng) if grid else (None, None)
            for tier, name, provider, codes, offers in RESOURCES:
                actions.create_resource(
                    actor=world.secretary(community), name=name.format(c=community.name[:2]), provider=provider,
                    tier=tier, classes=[classes[c] for c in codes], area=community, offers=offers,
                    contact_name=_name(rng), contact_phone=f"137{rng.randint(10000000, 99999999)}",
                    capacity=rng.choice([10, 20, 30, 50]), hours=rng.choice(["8:00-20:00", "9:00-17:00", "全天"]),
                    address=f"{community.name}{rng.randint(1, 99)}号",
                    longitude=(lng + rng.uniform(-0.004, 0.004)) if lng else None,
                    latitude=(lat + rng.uniform(-0.004, 0.004)) if lat else None)
                made += 1
        for name, provider, codes, offers in SUBDISTRICT_RESOURCES:
            actions.create_resource(actor=leader, name=name, provider=provider, tier=ResourceTier.SOCIAL,
                                    classes=[classes[c] for c in codes], area=world.subdistrict, capacity=100,
                                    offers=offers,
                                    hours="工作日 9:00-17:00")
            made += 1
        # 三问: door-to-door (the sentiment diary), online (a questionnaire per community), consultation.
        chiefs = list(Chief.objects.filter(ended_at__isnull=True, kind__in=["unit", "building"])
                      .select_related("region", "user", "community"))
        needs = []
        for i in range(min(60, len(chiefs) * 2)):
            chief = chiefs[i % len(chiefs)]
            unit = chief.region if chief.kind == "unit" else rng.choice(list(Region.objects.get_children(chief.region)))
            hh = rng.choice(households[unit.pk])
            code, text = rng.choice(NEEDS)
            entry = actions.record_visit(actor=chief.user, chief=chief, household=hh, note=f"入户走访：{text}",
                                         visited_at=now - dt.timedelta(days=rng.randint(5, 120)),
                                         need_class=classes[code], need_description=text)
            needs.append(entry.needs.get())
        for community in world.communities:
            q = actions.publish_questionnaire(actor=world.secretary(community), community=community,
                                              title="年度居民服务需求调查", question="您和家人最需要哪些服务？")
            for _j in range(3):
                code, text = rng.choice(NEEDS)
                needs.append(actions.answer_questionnaire(questionnaire=q, need_class=classes[code], description=text))
            grid = next((g for g in world.grids if g.community.pk == community.pk), None)
            if grid is not None:
                needs.append(actions.raise_need(actor=world.secretary(community), need_class=classes["culture_health"],
                                                description="居民协商：希望每月开展一次义诊", source=NeedSource.CONSULTATION,
                                                region=grid.region, meeting_ref="双月协商会", scope=NeedScope.COMMON))
        made += len(needs)
        # Answers: served (and mostly rated), escalated, or left open.
        served_at_base = now - dt.timedelta(days=150)
        for need in needs:
            if need.chief is None or need.household_links.count() != 1:
                continue
            roll = rng.random()
            user = need.chief.user
            if roll < 0.65:
                proposals = [p for p in selectors.propose_resources(user, need)
                             if actions.may_link(need.chief, p.resource)]
                if not proposals:
                    actions.escalate_need(actor=user, need=need, note="三长无法解决，报社区")
                    continue
                served = served_at_base + dt.timedelta(days=rng.randint(0, 140))
                service = actions.record_service(actor=user, need=need, resource=proposals[0].resource,
                                                 description="已联系资源上门服务", served_at=served)
                made += 1
                if rng.random() < 0.85:
                    actions.rate_service(service=service, household=service.household,
                                         service_score=rng.choice([3, 4, 4, 5, 5, 5]),
                                         chief_score=rng.choice([4, 5, 5]), fixed=rng.choice(["yes", "yes", "partly"]),
                                         at=min(now, served + dt.timedelta(days=rng.randint(0, 5))))
                    made += 1
            elif roll < 0.75:
                actions.escalate_need(actor=user, need=need, note="需要社区协调")
        # 三评: the last quarter reviewed and published.
        local = now.astimezone(selectors.quarter_bounds(2026, 1)[0].tzinfo)
        quarter = (local.month - 1) // 3 + 1
        year, quarter = (local.year, quarter - 1) if quarter > 1 else (local.year - 1, 4)
        period = actions.review_quarter(actor=leader, subdistrict=world.subdistrict, year=year, quarter=quarter,
                                        min_ratings=2, note="演示：已审核", now=now)
        actions.publish_quarter(actor=leader, period=period)
        made += 1 + period.scores.count()
    return made
