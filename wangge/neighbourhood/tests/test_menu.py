"""The app's sub-menu leads only to pages the user may open: no dead links for the community
and the grid."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["secretary_a", "worker_a1", "leader"])
def test_every_tab_opens_for_whoever_sees_it(hood, client, who):
    client.force_login(hood.world.users[who])
    page = client.get("/neighbourhood/needs/").content.decode()
    tabs = page.split('data-testid="nb-tabs"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="([^"]+)"', tabs)
    assert len(links) >= 5
    assert {link: client.get(link).status_code for link in links} == {link: 200 for link in links}
    runs_scores = who == "leader"
    assert ("/neighbourhood/ratings/" in links) is runs_scores
    assert ("/neighbourhood/evaluation/" in links) is runs_scores
