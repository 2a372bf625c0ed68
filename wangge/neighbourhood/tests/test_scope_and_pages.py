"""Who sees what (a unit chief its unit, a building chief its building, a community its own),
the staff pages, the phone pages and the API as a user meets them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wangge.neighbourhood import actions, selectors, signing
from wangge.neighbourhood.choices import NeedSource, NeedStatus, ResourceTier
from wangge.neighbourhood.models import Need, Rating
from wangge.residents.models import ResidentAccessLog


def need_at(hood, b, u, actor_key):
    return actions.raise_need(actor=hood.user(actor_key), need_class=hood.classes["convenience"],
                              description=f"{b}号楼{u}单元想要代买", source=NeedSource.DOOR,
                              region=hood.units[(b, u)], household=hood.households[(b, u)])


@pytest.fixture
def needs(hood):
    return {"11": need_at(hood, 1, 1, "u11"), "12": need_at(hood, 1, 2, "b1"), "21": need_at(hood, 2, 1, "grid")}


def test_each_chief_sees_exactly_their_own_place(hood, needs):
    def seen(key):
        return set(selectors.needs_visible_to(hood.user(key)).values_list("pk", flat=True))

    assert seen("u11") == {needs["11"].pk}
    assert seen("b1") == {needs["11"].pk, needs["12"].pk}
    assert seen("grid") == {n.pk for n in needs.values()}
    assert set(selectors.needs_visible_to(hood.secretary)) == set(needs.values())
    assert not selectors.needs_visible_to(hood.world.users["secretary_b"]).exists()
    households = set(selectors.households_visible_to(hood.user("u11")))
    assert households == {hood.households[(1, 1)]}


def test_a_unit_chief_gets_404_for_another_buildings_need_and_residents(client, hood, needs):
    client.force_login(hood.user("u11"))
    other = needs["21"]
    assert client.get(reverse("neighbourhood:chief_need", args=[other.pk])).status_code == 404
    assert client.get(reverse("neighbourhood:need", args=[other.pk])).status_code == 404
    assert client.get(f"/api/v1/neighbourhood/needs/{other.pk}/").status_code == 404
    page = client.get(reverse("neighbourhood:chief_visit"))
    assert "2号楼1单元" not in page.content.decode() and "1号楼1单元" in page.content.decode()
    own = client.get(reverse("neighbourhood:chief_need", args=[needs["11"].pk]))
    assert own.status_code == 200 and "住**" in own.content.decode() and "住户11" not in own.content.decode()
    assert not ResidentAccessLog.objects.exists()


def test_staff_pages_render_for_a_secretary(client, hood, needs):
    client.force_login(hood.secretary)
    for name in ["needs", "need_new", "chiefs", "coverage", "resources", "services", "questionnaires", "figures"]:
        response = client.get(reverse(f"neighbourhood:{name}"))
        assert response.status_code == 200, name
    assert client.get(reverse("neighbourhood:need", args=[needs["21"].pk])).status_code == 200
    export = client.get(reverse("neighbourhood:needs_export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(reverse("neighbourhood:ratings")).status_code == 404  # a sub-district page
    client.force_login(hood.leader)
    assert client.get(reverse("neighbourhood:ratings")).status_code == 200
    assert client.get(reverse("neighbourhood:evaluation")).status_code == 200
    client.force_login(hood.world.users["chengguan"])
    assert client.get(reverse("neighbourhood:needs")).status_code == 404


def test_bad_input_on_a_page_is_a_clear_400_and_changes_nothing(client, hood, needs):
    client.force_login(hood.user("b1"))
    url = reverse("neighbourhood:need_op", args=[needs["12"].pk, "escalate"])
    response = client.post(url, {"note": ""})
    assert response.status_code == 400 and "必填" in response.content.decode()
    response = client.post(reverse("neighbourhood:need_op", args=[needs["12"].pk, "match"]), {"resource": "x"})
    assert response.status_code == 404
    assert client.post(reverse("neighbourhood:need_op", args=[needs["12"].pk, "dance"])).status_code == 404
    assert Need.objects.get(pk=needs["12"].pk).status == NeedStatus.OPEN


def test_a_resident_answers_a_questionnaire_on_the_phone_page(client, hood):
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0], title="四月主题",
                                      question="您家需要什么？")
    url = reverse("neighbourhood:ask", args=[signing.ask_token(q.pk)])
    assert client.get(url).status_code == 200
    response = client.post(url, {"need_class": hood.classes["elderly_care"].pk, "description": "老人需要助浴",
                                 "unit": hood.units[(2, 2)].pk, "room": "202"})
    assert response.status_code == 200
    need = Need.objects.get(questionnaire=q)
    assert need.source == NeedSource.ONLINE and need.region == hood.units[(2, 2)]
    assert client.post(url, {"need_class": "", "description": ""}).status_code == 400
    assert client.get(reverse("neighbourhood:ask", args=[signing.ask_token(q.pk) + "x"])).status_code == 404


def test_answers_are_rate_limited(client, hood, settings):
    settings.WANGGE_RATE_LIMITS = {"nb_answer": (2, 3600)}
    q = actions.publish_questionnaire(actor=hood.secretary, community=hood.world.communities[0], title="t",
                                      question="q")
    url = reverse("neighbourhood:ask", args=[signing.ask_token(q.pk)])
    data = {"need_class": hood.classes["emergency"].pk, "description": "x"}
    assert [client.post(url, data).status_code for _ in range(3)] == [200, 200, 429]
    assert Need.objects.count() == 2


def test_the_rating_page_takes_one_rating_per_household(client, hood):
    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    url = reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, hood.households[(1, 1)].pk)])
    assert client.post(url, {"service_score": "9"}).status_code == 400
    assert client.post(url, {"service_score": "4", "chief_score": "5", "fixed": "yes"}).status_code == 200
    again = client.post(url, {"service_score": "1"})
    assert again.status_code == 200 and Rating.objects.get().service_score == 4
    forged = reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, hood.households[(2, 2)].pk)[:-2]])
    assert client.get(forged).status_code == 404
    stranger = reverse("neighbourhood:rate", args=[signing.rate_token(service.pk, hood.households[(2, 2)].pk)])
    assert client.post(stranger, {"service_score": "5"}).status_code == 403


def test_the_api_raises_matches_and_serves_and_is_in_the_schema(client, hood):
    client.force_login(hood.user("u11"))
    r = client.post("/api/v1/neighbourhood/needs/", {
        "need_class": hood.classes["convenience"].pk, "description": "代买米面", "source": "door",
        "region": hood.units[(1, 1)].pk, "household": hood.households[(1, 1)].pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    proposals = client.get(f"/api/v1/neighbourhood/needs/{pk}/proposals/").json()
    assert proposals[0]["name"] == "放心粮店"
    grocer = proposals[0]["resource"]
    assert client.post(f"/api/v1/neighbourhood/needs/{pk}/match/", {"resource": grocer},
                       content_type="application/json").status_code == 200
    r = client.post(f"/api/v1/neighbourhood/needs/{pk}/serve/", {"resource": grocer, "description": "送到家"},
                    content_type="application/json")
    assert r.status_code == 201 and Need.objects.get(pk=pk).status == NeedStatus.SERVED
    r = client.post(f"/api/v1/neighbourhood/needs/{pk}/escalate/", {"note": "x"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_state"
    resources = client.get("/api/v1/neighbourhood/resources/").json()
    assert all("*" in row["contact_phone"] or not row["contact_phone"] for row in resources["results"])
    cov = client.get(f"/api/v1/neighbourhood/coverage/?community={hood.world.communities[0].pk}")
    assert cov.status_code == 200 and cov.json()["units"] == 4
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/neighbourhood/needs/{id}/serve/" in schema and "/api/v1/neighbourhood/quarters/review/" in schema


def test_full_resident_data_is_shown_to_their_chief_and_every_view_logged(client, hood, needs):
    url = reverse("neighbourhood:need_residents", args=[needs["11"].pk])
    client.force_login(hood.user("u11"))
    response = client.post(url)
    assert response.status_code == 200 and "13900001100" in response.content.decode()
    log = ResidentAccessLog.objects.get()
    assert (log.user, log.granted, log.purpose) == (hood.user("u11"), True, f"neighbourhood:need:{needs['11'].pk}")
    client.force_login(hood.world.users["worker_a1"])  # reaches the need, may not see residents' data
    assert client.post(url).status_code == 403
    assert ResidentAccessLog.objects.filter(granted=False).count() == 1
    client.force_login(hood.user("u11"))
    assert client.post(reverse("neighbourhood:need_residents", args=[needs["21"].pk])).status_code == 404


def test_the_need_page_links_the_case_it_became(client, hood, needs):
    need = actions.need_to_case(actor=hood.secretary, need=needs["12"], title="楼上漏水")
    client.force_login(hood.secretary)
    page = client.get(reverse("neighbourhood:need", args=[need.pk])).content.decode()
    assert reverse("web:case_detail", kwargs={"number": need.case_number}) in page
    client.force_login(hood.user("b1"))
    phone = client.get(reverse("neighbourhood:chief_need", args=[need.pk]))
    assert phone.status_code == 200 and need.case_number in phone.content.decode()


def test_every_neighbourhood_operation_is_documented_like_the_core_s(client, hood):
    import json

    client.force_login(hood.leader)
    paths = json.loads(client.get("/api/schema/", {"format": "json"}).content)["paths"]
    mine = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/neighbourhood/")}
    assert len(mine) >= 14
    for path, operations in mine.items():
        for method, op in operations.items():
            if method == "parameters":
                continue
            assert op.get("summary"), (path, method)
            ok = [code for code in op["responses"] if code.startswith("2")]
            assert ok and "content" in op["responses"][ok[0]], (path, method)
            assert "404" in op["responses"], (path, method)
            if method == "post":
                assert "requestBody" in op, (path, method)
            assert op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_a_manager_corrects_stops_and_restarts_a_resource_on_its_page(client, hood):
    from wangge.neighbourhood.models import Resource, ResourceContactView

    shop = hood.resources[ResourceTier.CONVENIENCE]
    url = reverse("neighbourhood:resource_edit", args=[shop.pk])
    client.force_login(hood.secretary)
    page = client.get(shop.get_absolute_url()).content.decode()
    assert "修改资源信息" in page and "13811112222" not in page  # the form shows the contact masked too

    r = client.post(url, {"name": "放心粮油店", "provider": "李记粮油", "classes": [hood.classes["convenience"].pk],
                          "capacity": "40", "hours": "8:00-20:00", "contact_name": "", "contact_phone": "",
                          "longitude": str(shop.longitude), "latitude": str(shop.latitude)}, follow=True)
    assert "已保存" in r.content.decode()
    shop.refresh_from_db()
    assert (shop.name, shop.capacity, shop.hours) == ("放心粮油店", 40, "8:00-20:00")
    assert (shop.contact_name, shop.contact_phone) == ("李老板", "13811112222")  # blank: kept
    assert not ResourceContactView.objects.exists()

    # Bad input: a clear answer in Chinese, nothing changed.
    r = client.post(url, {"name": "放心粮油店", "provider": "李记粮油", "classes": [hood.classes["convenience"].pk],
                          "contact_phone": "12345"})
    assert r.status_code == 400 and "电话号码" in r.content.decode()
    assert Resource.objects.get(pk=shop.pk).contact_phone == "13811112222"

    client.post(url, {"active": "0"})
    assert not Resource.objects.get(pk=shop.pk).is_active
    client.post(url, {"active": "1"})
    assert Resource.objects.get(pk=shop.pk).is_active

    # A unit chief sees the library but does not manage the community's resources.
    client.force_login(hood.user("u11"))
    assert client.post(url, {"active": "0"}).status_code == 404
    assert Resource.objects.get(pk=shop.pk).is_active
