"""The demo logins table (``manage.py demo_logins``): each row names the territory of its logins."""

from __future__ import annotations

from wangge.demo.logins import login_rows
from wangge.org.choices import Role


def test_a_sub_districts_leader_and_the_districts_are_two_rows(world):
    # Grouped by role alone, "district_leader, leader" stood on one row with the district's
    # name: the sub-district's leader read as a district leader.
    leaders = {tuple(row.usernames): row.jurisdiction for row in login_rows() if row.role == str(Role.LEADER.label)}
    assert leaders == {("district_leader",): world.district.name, ("leader",): world.subdistrict.name}
    # Logins of one level stay together: the two grid workers are one row.
    workers = [row for row in login_rows() if row.role == str(Role.GRID_WORKER.label)]
    assert [row.usernames for row in workers] == [["worker_a1", "worker_b1"]]
