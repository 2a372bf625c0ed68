"""Recording a service on a need that no resource was matched to: the chief chooses the resource
(none is chosen for them — a hurried tap must not credit the first shop of the list), and a
service sent without one is refused in words at the need, nothing recorded (it was a 404)."""

from __future__ import annotations

import re

from django.urls import reverse

from wangge.neighbourhood.models import ServiceRecord

from .test_services import need_at


def resource_select(page: str) -> str:
    return page.split('data-testid="nb-serve"', 1)[1].split("</select>", 1)[0]


def test_no_resource_is_chosen_for_an_unmatched_need(client, hood):
    need = need_at(hood)
    client.force_login(hood.user("b1"))
    page = client.get(reverse("neighbourhood:chief_need", args=[need.pk])).content.decode()
    options = re.findall(r"<option[^>]*>", resource_select(page))
    assert options[0] == '<option value="" selected>'
    assert all("selected" not in o for o in options[1:])


def test_the_matched_resource_is_chosen_once_matched(client, hood):
    need = need_at(hood)
    client.force_login(hood.user("b1"))
    url = reverse("neighbourhood:chief_need", args=[need.pk])
    grain = hood.resources["convenience"]
    client.post(url, {"op": "match", "resource": grain.pk})
    select = resource_select(client.get(url).content.decode())
    assert 'value=""' not in select and f'<option value="{grain.pk}" selected>' in select


def test_a_service_without_a_resource_is_refused_in_words(client, hood):
    need = need_at(hood)
    client.force_login(hood.user("b1"))
    response = client.post(reverse("neighbourhood:chief_need", args=[need.pk]),
                           {"op": "serve", "resource": "", "description": "代买米面送到家"})
    assert response.status_code == 400
    assert "请选择提供服务的资源" in response.content.decode()
    assert not ServiceRecord.objects.exists()
