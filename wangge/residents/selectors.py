"""Scoped reads of residents: masked, always.

Unmasked data is never read here — only through ``services.reveal_resident``, which logs the view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from wangge.org.scope import can_see_reporter

from .masking import mask_name, mask_phone
from .models import PersonalDataRequest, Resident, ResidentAccessLog, WechatIdentity


def residents_visible_to(user) -> QuerySet[Resident]:
    """The residents ``user`` may list (masked).

    Kept simple on purpose: staff with the right to residents' personal data
    (``wangge.org.scope.can_see_reporter``: the intake, secretary, leader and admin roles, or the
    ``cases.view_reporter`` permission) see every resident; everyone else sees none. Other staff
    reach a resident only through a row they may see (a case's reporter). A territory rule (a grid
    worker sees the households of their grid) waits until households are filled in.
    """
    if not can_see_reporter(user):
        return Resident.objects.none()
    return Resident.objects.filter(merged_into__isnull=True).select_related("household", "household__unit")


def resident_summary(resident: Resident) -> dict:
    """What any screen may show of a resident: masks, flags and dates, never the raw data."""
    household = resident.household
    return {
        "id": resident.pk,
        "name": mask_name(resident.name),
        "phone": mask_phone(resident.phone),
        "phone_verified": resident.phone_verified_at is not None,
        "household": {"id": household.pk, "unit_id": household.unit_id} if household else None,
        "anonymised": resident.anonymised_at is not None,
        "merged_into": resident.merged_into_id,
        "created_at": resident.created_at,
        "last_seen_at": resident.last_seen_at,
    }


# ---------------------------------------------------------------------------------------------
# 我的个人信息 — what the resident themself is shown (after proving their phone)
# ---------------------------------------------------------------------------------------------


@dataclass
class StaffView:
    """One full view of the resident's data by staff, as the resident is told of it: when, by which
    role of which department or place, for what — not the officer's name. The office (the personal
    information handler) answers for its staff; the role and unit are what the resident needs to
    question a view, and naming individual officers on a public page would expose them in turn
    (their name is given on a written request to the office)."""

    at: object
    roles: list[str]
    purpose: str  # "case WG20260301-00012", "neighbourhood:need:12" or free text


def staff_views_of(resident: Resident, *, limit: int = 100) -> list[StaffView]:
    """信息查看记录 — the granted full views of ``resident``'s data by staff, newest first, each
    with the roles (and their department or place) its viewer held when they looked
    (``viewer_roles``). Refused attempts saw nothing and are not listed."""
    rows = list(ResidentAccessLog.objects.filter(resident=resident, granted=True)
                .order_by("-accessed_at", "-pk")[:limit])
    roles = viewer_roles(rows)
    return [StaffView(at=row.accessed_at, roles=labels, purpose=row.purpose) for row, labels in zip(rows, roles)]


def posts_of(user_ids) -> dict[int, list[list[str]]]:
    """The posts each of ``user_ids`` holds now, ``[role, department or place name]`` (the name
    "" when the role has neither): what an access log keeps of its viewer (``viewer_posts``)."""
    from wangge.org.models.staff import RoleAssignment

    posts: dict[int, list[list[str]]] = {}
    assignments = (RoleAssignment.objects.filter(user_id__in=set(user_ids), is_active=True)
                   .select_related("region", "department").defer("region__boundary").order_by("pk"))
    for assignment in assignments:
        where = assignment.department or assignment.region
        posts.setdefault(assignment.user_id, []).append([assignment.role, where.name if where else ""])
    return posts


def post_labels(posts) -> list[str]:
    """Posts as a resident is told of them: "受理员 · 城管局" (the role in the reader's language)."""
    from wangge.org.choices import Role

    labels = []
    for role, where in posts or []:
        name = str(Role(role).label) if role in Role.values else role
        labels.append(f"{name} · {where}" if where else name)
    return labels


def roles_of(user_ids) -> dict[int, list[str]]:
    """The roles each of ``user_ids`` holds now, as a resident is told of a view ("受理员 · 城管局"),
    never the officer's name (see ``StaffView``)."""
    return {user_id: post_labels(posts) for user_id, posts in posts_of(user_ids).items()}


def viewer_roles(rows) -> list[list[str]]:
    """For each access-log row (``user_id``, ``viewer_posts``): the posts its viewer held when they
    looked, or — on a row logged before they were recorded — the posts they hold today (one query
    for all of those)."""
    today = roles_of({row.user_id for row in rows if row.viewer_posts is None})
    return [post_labels(row.viewer_posts) if row.viewer_posts is not None else today.get(row.user_id, [])
            for row in rows]


def data_requests_of(resident: Resident):
    return list(PersonalDataRequest.objects.filter(resident=resident).order_by("-created_at", "-pk"))


def wechat_bindings_of(resident: Resident) -> list[dict]:
    """The resident's WeChat bindings: the official account and when; the OpenID shortened (it is
    an identifier of theirs, but a whole one on a screen helps nobody)."""
    return [{"app_id": w.app_id, "openid": f"{w.openid[:4]}…{w.openid[-4:]}" if len(w.openid) > 10 else w.openid,
             "since": w.created_at}
            for w in WechatIdentity.objects.filter(resident=resident).order_by("created_at", "pk")]
