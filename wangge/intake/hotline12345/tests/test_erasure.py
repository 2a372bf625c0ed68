"""A 12345 import keeps, beside the cases it filed, the first rows as the clerk previewed them and
the reasons of each line; a hotline operator often types the caller's number into the 诉求内容.
When that caller is erased (PIPL), their number and name go from those copies too."""

from __future__ import annotations

import json

import pytest

from wangge.cases import actions as case_actions
from wangge.cases.models import Case
from wangge.intake.hotline12345.choices import ImportMode
from wangge.intake.hotline12345.models import ImportJob
from wangge.residents.services import anonymise_resident

from .conftest import order, xlsx

pytestmark = pytest.mark.django_db


def test_the_import_preview_loses_the_erased_callers_number(world, run):
    typed = "张先生（138-1234-1234）反映：小区门口流动摊贩占道经营，邻居13900001111同反映"
    job = run("orders.xlsx", xlsx([order(1, 诉求内容=typed)]))
    job = run("orders.xlsx", xlsx([order(1, 诉求内容=typed)]), mode=ImportMode.VALID_ONLY)
    case = Case.objects.get(external_id=order(1)["工单编号"])
    assert "138-1234-1234" in json.dumps(ImportJob.objects.get(pk=job.pk).preview, ensure_ascii=False)
    case_actions.reject_case(case=case, actor=world.users["clerk"], reason="已由物业处理")

    anonymise_resident(resident=case.reporter, reason="居民申请删除")

    kept = json.dumps(ImportJob.objects.get(pk=job.pk).preview, ensure_ascii=False)
    assert "1234-1234" not in kept and "张先生" not in kept
    assert "13900001111" in kept  # the neighbour's number is not theirs to erase
