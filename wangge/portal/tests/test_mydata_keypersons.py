"""我的个人信息 · 社区走访登记: a resident on the key-person register (重点人员) sees their entries in the
categories shown to the person (独居老人, 残疾人家庭 …) — category, community, since when, the post
responsible, how many visits and the last one — never what a visit noted (it may name others), and
never another resident's entry. Entries in a category kept from the person (PIPL art. 18, 35) show
one neutral line that names no category. Staff full views of a shown entry are in 信息查看记录."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.utils import timezone

from wangge.keypersons import actions
from wangge.keypersons.models import KeyPersonTag

from .test_mydata_anonymous import ME, sign_in

pytestmark = pytest.mark.django_db

PHONE, OTHER = "13812341234", "13998765432"
WITHHELD = "依照法律规定，有关您的部分记录不在此显示"
FOUND = "身体尚可，女儿李梅每周来探望"


@pytest.fixture
def tags(db):
    """The default tags (migration 0002), each shown to the person or not as migration 0005 sets it."""
    defaults = import_module("wangge.keypersons.migrations.0005_tag_shown_to_person")
    for code, name, order in import_module("wangge.keypersons.migrations.0002_default_tags").TAGS:
        KeyPersonTag.objects.update_or_create(code=code, defaults={
            "name": name, "order": order, "shown_to_person": code in defaults.SHOWN})
    return {t.code: t for t in KeyPersonTag.objects.all()}


def register(world, tags, *, tag, phone=PHONE, name="张秀英", grid=0):
    grid = world.grids[grid]
    actor = world.users["secretary_a" if grid in world.grids[:2] else "secretary_b"]
    worker = world.users["worker_a1" if grid in world.grids[:2] else "worker_b1"]
    return actions.register_key_person(actor=actor, grid=grid, name=name, phone=phone, tags=[tags[tag]],
                                       worker=worker, registered_at=timezone.now() - dt.timedelta(days=90))


def visit(world, person, *, days_ago, found=FOUND):
    return actions.record_visit(actor=world.users["worker_a1" if person.grid in world.grids[:2] else "worker_b1"],
                                person=person, found=found, visited_at=timezone.now() - dt.timedelta(days=days_ago))


def day(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d")


def register_section(html: str) -> str:
    return html.split('data-testid="mydata-keypersons"')[1].split("</section>")[0]


def test_the_migration_shows_care_categories_and_keeps_the_catch_all_from_the_person(tags):
    assert {code for code, tag in tags.items() if tag.shown_to_person} == {
        "needy", "elderly_alone", "disabled", "floating", "unemployed"}
    assert not tags["other"].shown_to_person
    assert not KeyPersonTag._meta.get_field("shown_to_person").default  # a new category: kept until set


def test_a_resident_sees_their_entry_with_its_visit_count_and_last_visit_but_not_what_was_noted(client, world, tags):
    person = register(world, tags, tag="elderly_alone")
    visit(world, person, days_ago=20)
    last = visit(world, person, days_ago=3)

    sign_in(client, PHONE)
    html = client.get(ME).content.decode()
    section = register_section(html)
    assert "独居老人" in section
    assert world.grids[0].ancestor_at("community").name in section
    assert day(person.registered_at) in section
    assert "网格员" in section and "worker_a1" not in section  # the post, not the officer
    assert 'data-testid="mydata-kp-visits">2<' in section
    assert f'data-testid="mydata-kp-last">{day(last.visited_at)}<' in section
    assert FOUND not in html and "李梅" not in html  # a visit's notes may name others
    assert WITHHELD not in html
    assert "入户走访、社会救助等工作记录不在此显示" not in html  # the old "ask the office" line is gone


def test_a_resident_never_sees_another_residents_entry(client, world, tags):
    register(world, tags, tag="elderly_alone")
    theirs = register(world, tags, tag="disabled", phone=OTHER, name="王建国", grid=2)
    visit(world, theirs, days_ago=4)
    withheld = register(world, tags, tag="other", phone="13700001111", name="刘志强", grid=2)
    visit(world, withheld, days_ago=5)

    sign_in(client, PHONE)
    html = client.get(ME).content.decode()
    section = register_section(html)
    assert "独居老人" in section and "残疾人家庭" not in html
    assert world.grids[2].ancestor_at("community").name not in section
    assert section.count('data-testid="mydata-kp-entry"') == 1
    assert WITHHELD not in html  # another's kept entry says nothing to this resident either


def test_an_entry_in_a_category_kept_from_the_person_shows_one_neutral_line(client, world, tags):
    person = register(world, tags, tag="other")
    visit(world, person, days_ago=2)
    actions.reveal_key_person(actor=world.users["secretary_a"], person=person, purpose="走访核实")

    sign_in(client, PHONE)
    html = client.get(ME).content.decode()
    assert html.count(WITHHELD) == 1
    assert "其他重点人员" not in html and "mydata-kp-entry" not in html
    assert 'data-testid="mydata-view"' not in html  # a view of it would tell of it too


def test_a_mixed_entry_shows_the_shown_category_only_and_the_neutral_line(client, world, tags):
    person = register(world, tags, tag="disabled")
    person.tags.add(tags["other"])

    sign_in(client, PHONE)
    html = client.get(ME).content.decode()
    section = register_section(html)
    assert "残疾人家庭" in section and "其他重点人员" not in html
    assert html.count(WITHHELD) == 1


def test_a_resident_without_entries_sees_nothing_about_the_register(client, world, tags):
    register(world, tags, tag="elderly_alone", phone=OTHER, name="王建国")
    from wangge.testing import file_case

    file_case(world, reporter_phone=PHONE)  # a resident by their report, on no register

    sign_in(client, PHONE)
    html = client.get(ME).content.decode()
    assert 'data-testid="mydata-keypersons"' not in html and WITHHELD not in html
    assert "独居老人" not in html


def test_a_staff_view_of_a_shown_entry_is_in_the_views_with_the_post_held(client, world, tags):
    person = register(world, tags, tag="elderly_alone")
    actions.reveal_key_person(actor=world.users["secretary_a"], person=person, purpose="走访核实")

    sign_in(client, PHONE)
    html = client.get(ME).content.decode()
    [view] = [part.split("</li>")[0] for part in html.split('data-testid="mydata-view"')[1:]]
    assert "社区书记" in view and "secretary_a" not in view
    assert "社区走访工作" in view


def test_the_correction_link_names_the_entry_in_the_request_and_another_ones_is_ignored(client, world, tags):
    person = register(world, tags, tag="elderly_alone")
    theirs = register(world, tags, tag="disabled", phone=OTHER, name="王建国", grid=2)

    sign_in(client, PHONE)
    html = client.get(f"{ME}?correct={person.pk}").content.decode()
    textarea = html.split('data-testid="mydata-details"')[1].split("</textarea>")[0]
    assert "独居老人" in textarea
    for junk in (theirs.pk, "x", "\x00"):
        html = client.get(ME, {"correct": junk}).content.decode()
        textarea = html.split('data-testid="mydata-details"')[1].split("</textarea>")[0]
        assert "残疾人家庭" not in textarea and "独居老人" not in textarea
