"""The pages as a user meets them: the worker's phone pages, the chief's coverage tab and diary
sign-off, in Chinese by default."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from wangge.diary import actions as diary_actions
from wangge.diary.models import DiaryDay
from wangge.keypersons.models import KeyPerson, Visit


def test_the_workers_phone_pages(world, register, tags, client):
    person = register()
    client.force_login(world.users["worker_a1"])
    page = client.get(reverse("keypersons:mine")).content.decode()
    assert "我的重点人员" in page and "张**" in page and "13812345678" not in page
    assert client.get(reverse("keypersons:quick")).status_code == 200
    assert client.get(reverse("keypersons:register")).status_code == 200
    r = client.post(reverse("keypersons:visit", args=[person.pk]), {"found": "身体不错", "mood": "stable",
                                                                    "help_needed": "none"})
    assert r.status_code == 302 and Visit.objects.get().found == "身体不错"
    r = client.post(reverse("keypersons:register"), {"grid": world.grids[0].pk, "name": "李桂兰",
                                                     "tags": [tags["needy"].pk], "phone": "13700000000"})
    assert r.status_code == 302 and KeyPerson.objects.filter(name="李桂兰").exists()
    r = client.post(reverse("keypersons:retire", args=[person.pk]), {"reason": ""})
    assert 'id="r-reason-error"' in r.content.decode() and KeyPerson.objects.get(pk=person.pk).is_active
    day = client.get(reverse("diary:today"), follow=True)
    assert day.status_code == 200 and "身体不错" in day.content.decode()


def test_the_coverage_tab_and_the_sign_off_list(world, register, client):
    register()
    client.force_login(world.users["worker_a1"])
    assert client.get(reverse("keypersons:coverage")).status_code == 404
    diary_actions.add_note(actor=world.users["worker_a1"], day=timezone.localdate(), text="巡查")
    diary_actions.close_ended_days(now=timezone.now() + dt.timedelta(days=1))
    client.force_login(world.users["chief_a1"])
    page = client.get(reverse("keypersons:coverage")).content.decode()
    assert 'data-test="dashboard-tabs"' in page and "重点人员" in page
    team = client.get(reverse("diary:team")).content.decode()
    row = DiaryDay.objects.get(worker=world.users["worker_a1"], day=timezone.localdate())
    assert row.get_absolute_url() in team
    client.post(reverse("diary:sign", args=[row.pk]), {"note": "已阅"})
    row.refresh_from_db()
    assert row.status == "signed" and row.signed_by == world.users["chief_a1"]


def test_the_case_page_says_where_a_street_case_came_from(world, register, client):
    from wangge.keypersons import actions
    from wangge.keypersons.choices import HelpNeeded

    person = register()
    visit = actions.record_visit(actor=world.users["worker_a1"], person=person, help_needed=HelpNeeded.CASE,
                                 need_note="楼道灯坏了")
    client.force_login(world.users["worker_a1"])
    page = client.get(reverse("web:case_detail", args=[visit.case.number])).content.decode()
    assert 'data-testid="keypersons-panel"' in page and person.get_absolute_url() in page
    assert "13812345678" not in page and "张秀英" not in page


def test_the_chief_changes_tags_worker_and_notes_on_the_page(world, register, tags, client):
    person = register(tag="elderly_alone", worker="worker_a1")
    client.force_login(world.users["chief_a1"])
    page = client.get(person.get_absolute_url()).content.decode()
    assert "修改标签、责任人或备注" in page and "worker_a1b" in page

    r = client.post(reverse("keypersons:edit", args=[person.pk]), {
        "tags": [tags["elderly_alone"].pk, tags["needy"].pk], "worker": world.users["worker_a1b"].pk,
        "notes": "独居，子女在外地"}, follow=True)
    assert "已保存" in r.content.decode()
    person.refresh_from_db()
    assert set(person.tags.values_list("code", flat=True)) == {"elderly_alone", "needy"}
    assert person.worker == world.users["worker_a1b"] and person.notes == "独居，子女在外地"

    # A worker from another grid is refused, and nothing changes.
    r = client.post(reverse("keypersons:edit", args=[person.pk]), {
        "tags": [tags["needy"].pk], "worker": world.users["worker_b1"].pk, "notes": ""}, follow=True)
    assert "责任网格员必须在该网格工作。" in r.content.decode()
    person.refresh_from_db()
    assert person.worker == world.users["worker_a1b"] and person.tags.count() == 2

    # Someone outside the grid's field staff does not find the person at all.
    client.force_login(world.users["worker_b1"])
    assert client.post(reverse("keypersons:edit", args=[person.pk]), {"tags": [tags["needy"].pk]}).status_code == 404


def test_registration_picks_the_building_and_unit_of_the_grid(world, tags, client):
    from wangge.org.choices import RegionLevel
    from wangge.org.models import Region
    from wangge.testing import add_region

    grid = Region.objects.get(pk=world.grids[0].pk)
    building = add_region(grid, RegionLevel.BUILDING, "3号楼")
    unit = add_region(Region.objects.get(pk=building.pk), RegionLevel.UNIT, "2单元")
    elsewhere = add_region(Region.objects.get(pk=world.grids[2].pk), RegionLevel.BUILDING, "9号楼")
    client.force_login(world.users["worker_a1"])
    page = client.get(reverse("keypersons:register")).content.decode()
    assert "楼栋 / 单元" in page and "2单元" in page and "9号楼" not in page

    r = client.post(reverse("keypersons:register"), {"grid": grid.pk, "unit": unit.pk, "name": "赵大爷",
                                                     "tags": [tags["elderly_alone"].pk]})
    assert r.status_code == 302 and KeyPerson.objects.get(name="赵大爷").unit_id == unit.pk

    r = client.post(reverse("keypersons:register"), {"grid": grid.pk, "unit": elsewhere.pk, "name": "钱大妈",
                                                     "tags": [tags["elderly_alone"].pk]})
    assert r.status_code == 200 and "楼栋或单元必须在该网格内。" in r.content.decode()
    assert not KeyPerson.objects.filter(name="钱大妈").exists()


def test_a_refused_visit_comes_back_as_typed_with_the_error_at_the_time(world, register, client):
    person = register()
    client.force_login(world.users["worker_a1"])
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(reverse("keypersons:visit", args=[person.pk]), {
        "visited_at": future, "place": "家中", "found": "反映暖气不热", "mood": "anxious",
        "help_needed": "service", "need_note": "需要助餐服务"})
    page = r.content.decode()
    assert r.status_code == 200 and not Visit.objects.exists()
    assert f'value="{future}" aria-invalid="true" aria-describedby="v-at-error"' in page
    assert '<p class="field-error" id="v-at-error" role="alert">时间不能晚于现在。</p>' in page
    assert ">反映暖气不热</textarea>" in page and 'value="家中"' in page and 'value="需要助餐服务"' in page
    assert '<option value="anxious" selected>' in page and '<option value="service" selected>' in page


def test_the_visit_form_tells_the_follow_up_from_the_need_in_words(world, register, client):
    """Two fields once labelled 所需帮助 and 需要的帮助 side by side: one picks what follows the visit
    (a case, a service need, nothing), the other says in words what is needed. Each says which it is."""
    person = register()
    client.force_login(world.users["worker_a1"])
    page = client.get(reverse("keypersons:detail", args=[person.pk])).content.decode()
    assert "所需帮助" not in page and "需要的帮助" not in page
    assert '<label for="v-help">后续处理</label>' in page and 'aria-describedby="v-help-help"' in page
    assert '<label for="v-need">问题或需求说明</label>' in page and 'aria-describedby="v-need-help"' in page
    assert "保存时即立案" in page and "记在走访记录和工作日记里" in page and '<option value="none">无需处理</option>' in page
    assert "立案时作为事件描述" in page
    # Asked for a need without saying it, the error names the field to fill in.
    r = client.post(reverse("keypersons:visit", args=[person.pk]), {"help_needed": "service", "mood": "stable"})
    page = r.content.decode()
    assert r.status_code == 200 and not Visit.objects.exists()
    assert 'aria-describedby="v-need-help v-need-error"' in page and "请在“问题或需求说明”里写明需要什么。" in page


def test_refused_edits_and_retirements_keep_what_was_typed(world, register, tags, client):
    person = register()
    client.force_login(world.users["chief_a1"])
    # No tag left: refused, the notes typed stay, the form stays open.
    r = client.post(reverse("keypersons:edit", args=[person.pk]), {"notes": "子女在外地，每周电话"})
    page = r.content.decode()
    assert 'data-testid="kp-edit" open' in page and 'data-testid="kp-edit-tags-error"' in page
    assert ">子女在外地，每周电话</textarea>" in page
    person.refresh_from_db()
    assert person.notes == "" and person.tags.count() == 1
    # A reason of blanks is refused at the field.
    r = client.post(reverse("keypersons:retire", args=[person.pk]), {"reason": "   "})
    page = r.content.decode()
    assert 'data-testid="kp-retire" open' in page and 'id="r-reason-error"' in page
    assert KeyPerson.objects.get(pk=person.pk).is_active


def test_a_refused_registration_keeps_the_worker_and_says_why_at_the_field(world, tags, client):
    client.force_login(world.users["chief_a1"])
    r = client.post(reverse("keypersons:register"), {
        "grid": world.grids[0].pk, "name": "李桂兰", "phone": "12345", "worker": world.users["worker_a1"].pk,
        "tags": [tags["needy"].pk]})
    page = r.content.decode()
    assert 'data-testid="kp-register-phone-error"' in page and 'value="李桂兰"' in page
    assert f'<option value="{world.users["worker_a1"].pk}" selected>' in page
    assert not KeyPerson.objects.filter(name="李桂兰").exists()
