"""Callers' personal data in a 12345 import: the preview shows each caller masked, name and number
alike (the case's own reveal is where they are seen in full, and logged), and the uploaded file —
every caller's name and number — is not kept once its rows are filed."""

from __future__ import annotations

import pytest

from wangge.cases.models import Case
from wangge.intake.hotline12345.choices import ImportMode, JobStatus
from wangge.intake.hotline12345.models import ImportJob

from .conftest import order, xlsx

pytestmark = pytest.mark.django_db


def test_the_preview_masks_the_callers_name_as_well_as_the_number(world, run, client):
    job = run("orders.xlsx", xlsx([order(1, 来电人="欧阳娜娜")]))
    assert job.status == JobStatus.READY
    assert (job.preview[0]["reporter_name"], job.preview[0]["reporter_phone"]) == ("欧***", "138****1234")
    client.force_login(world.users["clerk"])
    page = client.get(f"/intake/12345/jobs/{job.pk}/").content.decode()
    assert "欧***" in page and "欧阳娜娜" not in page and "13812341234" not in page


def test_the_uploaded_file_is_dropped_once_its_rows_are_filed(world, run):
    content = xlsx([order(1, 来电人="欧阳娜娜"), order(2)])
    job = run("orders.xlsx", content)
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == content  # still needed to import it
    job = run("orders.xlsx", content, mode=ImportMode.VALID_ONLY)
    assert job.status == JobStatus.DONE and job.filed_count == 2
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == b""
    # The cases keep what the hotline told us of each caller.
    assert Case.objects.get(external_id=order(1)["工单编号"]).reporter_name == "欧阳娜娜"
