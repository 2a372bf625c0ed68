"""Demo data of the patrols app (``make demo``): points in every grid, two weeks of check-ins by
the grid workers, some findings (on the spot and for the community) and the grid's officers —
all through the actions. The backdated check-ins are accepted by widening the offline-queue
limit for the load (a real phone may hold a check-in for 72 hours at most)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.test.utils import override_settings

from wangge.org.choices import Role

from . import actions
from .choices import FindingClass, Frequency, PointClass
from .models import OfficerRole
from .windows import SHANGHAI, local_day

DAYS = 14
POINTS = [
    ("小吃店", PointClass.SMALL_SHOP), ("便利店", PointClass.SMALL_SHOP), ("主街", PointClass.MAIN_ROAD),
    ("背街小巷", PointClass.BACK_ALLEY), ("农商银行网点", PointClass.BANK), ("菜市场", PointClass.MARKET),
    ("社区卫生服务站", PointClass.CLINIC), ("小学", PointClass.SCHOOL),
]
# (what the worker saw, how it is handled, what was done on the spot, the demo category's code)
FOUND = [("门口堆放杂物", FindingClass.GENERAL, "已劝导店主清理", "shirong-luandui"),
         ("垃圾桶满溢", FindingClass.GENERAL, "已联系保洁清运", "huanjing-laji"),
         ("路面破损有积水", FindingClass.COORDINATION, "", "daolu-lumian"),
         ("占道经营", FindingClass.APPROVAL, "", "shirong-zhandao"),
         ("电动车楼道充电", FindingClass.EMERGENCY, "", "anquan-diandongche")]


def load_demo_data(*, world, rng, now) -> int:
    made = 0
    start_day = local_day(now) - dt.timedelta(days=DAYS)
    categories = {leaf.code: leaf for leaf, _spec, _root in world.leaves}
    with override_settings(WANGGE_PATROL_MAX_BACKDATE_HOURS=24 * (DAYS + 2), WANGGE_PATROL_LATE_MINUTES=24 * 60 * 30):
        for info in world.grids:
            if info.worker is None:
                continue
            secretary = world.secretary(info.community)
            points = []
            for name, point_class in POINTS:
                lng, lat = info.random_point(rng)
                points.append(actions.create_point(actor=secretary, grid=info.region, name=f"{info.region.name}{name}",
                                                   point_class=point_class, latitude=lat, longitude=lng,
                                                   active_from=start_day))
                made += 1
            for offset in range(DAYS + 1):
                day = start_day + dt.timedelta(days=offset)
                for point in points:
                    due_today = point.frequency == Frequency.DAILY or rng.random() < 0.2
                    if not due_today or rng.random() > 0.85:
                        continue
                    # Working hours on the local (Beijing) clock: 08:00–16:59; today's only if past.
                    at = dt.datetime.combine(day, dt.time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=SHANGHAI)
                    if at > now:
                        continue
                    far = rng.random() < 0.05
                    result = actions.check_in(
                        actor=info.worker, client_id=uuid.UUID(int=rng.getrandbits(128)), point=point, client_time=at,
                        latitude=point.latitude + (0.02 if far else rng.uniform(-0.0002, 0.0002)),
                        longitude=point.longitude + rng.uniform(-0.0002, 0.0002), accuracy=rng.choice([5, 10, 20]),
                        notes=rng.choice(["", "正常", "店铺营业正常", "无异常"]))
                    made += 1
                    # Findings: on-the-spot ones only on the last day (resolved now, so on time).
                    if rng.random() < 0.06:
                        text, how, result_text, code = rng.choice(FOUND)
                        if how == FindingClass.GENERAL and (now - at) > dt.timedelta(hours=20):
                            continue
                        actions.report_finding(actor=info.worker, checkin=result.checkin, description=text,
                                               handling_class=how, category=categories.get(code),
                                               result=result_text)
                        made += 1
        made += _officers(world, rng)
    actions.close_past_slots()
    return made


def _officers(world, rng) -> int:
    roles = {r.name: r for r in OfficerRole.objects.all()}
    made = 0
    for i, info in enumerate(world.grids):
        for role_name, code in (("城管队员", "chengguan"), ("公安巡逻员", "gongan"), ("市场监管员", "shichang")):
            people = world.officers.get(code) or []
            department = world.departments.get(code)
            if not people or department is None or role_name not in roles:
                continue
            officer = people[i % len(people)]
            if not any(a.department_id == department.pk and a.role == Role.DEPARTMENT_OFFICER
                       for a in officer.role_assignments):
                continue
            actions.appoint_officer(actor=world.users["leader"] if "leader" in world.users else world.secretary(info.community),
                                    grid=info.region, user=officer, department=department, role=roles[role_name])
            made += 1
    return made
