"""积分账户 — staff find a resident's account by phone without the number going into an address:
an address is written in full to the web server's access log and the browser's history (and sent
on as the Referer), where no mask and no access log reaches it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wangge.credit.models import CreditAccount
from wangge.residents.models import Resident

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def account(world, client):
    client.force_login(world.users["secretary_a"])
    Resident.objects.create(name="张秀兰", phone=PHONE)
    form = {"name": "张秀兰", "phone": PHONE, "place": str(world.grids[0].pk)}
    assert client.post(reverse("credit:open_account"), form).status_code == 302
    return CreditAccount.objects.get()


def test_the_phone_search_posts_the_number(client, account):
    page = client.get(reverse("credit:accounts")).content.decode()
    form = re.search(r'<form[^>]*data-testid="credit-phone-search"[^>]*>', page).group(0)
    assert 'method="post"' in form
    found = client.post(reverse("credit:accounts"), {"phone": PHONE})
    assert found.status_code == 302 and found["Location"] == reverse("credit:account", args=[account.pk])
    assert PHONE not in found["Location"]


def test_a_number_in_the_address_looks_nothing_up(client, account):
    # An old bookmark or a typed address: the list, as without it — the number is not acted on.
    response = client.get(reverse("credit:accounts"), {"phone": PHONE})
    assert response.status_code == 200 and f'value="{PHONE}"' not in response.content.decode()


def test_a_number_with_no_account_says_so_and_is_kept_in_the_form(client, account):
    response = client.post(reverse("credit:accounts"), {"phone": "13700000000"})
    body = response.content.decode()
    assert response.status_code == 200 and 'value="13700000000"' in body
