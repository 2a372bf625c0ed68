"""Hotline intake: the photos and files attached to a call survive the duplicate question (疑似重复).

Saving a call that looks like a case already filed brings the form back unsaved with
仍然登记为新事件 (see test_hotline_duplicate_confirm). A browser cannot refill a file input, so the
files the clerk attached are kept on the server under the form's own key: the page names them
(each can be removed), and the case filed after 仍然登记为新事件 carries them — checked again as
every upload is. Files kept for a call never filed are removed after an age limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wangge.cases.models import Case
from wangge.core.testing import png_bytes
from wangge.testing import file_case
from wangge.web.models import HeldUpload

from .test_hotline_double_submit import form_key
from .test_views import hotline_data

pytestmark = pytest.mark.django_db

HOTLINE = "/cases/new/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def earlier(world, categories):
    """The same problem reported an hour ago from the same grid."""
    return file_case(world, grid=world.grids[1], category=categories["street"],
                     description="路边有人摆摊占道，堵住了盲道", address="和平路8号")


def photo(name="摊位.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name="投诉信.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def kept(html: str) -> list[str]:
    """The ids of the files the page says are kept with the form (as the browser posts them back)."""
    return re.findall(r'<input type="hidden" name="held" value="(\d+)"', html)


def confirm(html: str) -> str:
    match = re.search(r'name="file_anyway" value="([^"]*)"', html)
    assert match, "no 仍然登记为新事件 button"
    return match.group(1)


def ask(client, world, categories, *files):
    """The first save of a call like ``earlier``, with ``files``: (its data, the page it gets)."""
    data = hotline_data(world, categories["street"], submission=form_key(client))
    html = client.post(HOTLINE, {**data, "attachments": list(files)}).content.decode()
    assert 'data-testid="duplicate-confirm"' in html
    return data, html


def test_files_attached_before_the_question_are_filed_with_the_case(login, world, categories, earlier):
    client = login(world.users["clerk"])
    data, html = ask(client, world, categories, photo(), pdf())
    # Not lost: named on the page, and not asked for again.
    assert "摊位.png" in html and "投诉信.pdf" in html and 'data-testid="photos-lost"' not in html
    assert "附件已保留" in html and len(kept(html)) == 2
    assert Case.objects.count() == 1

    filed = client.post(HOTLINE, {**data, "file_anyway": confirm(html), "held": kept(html)})
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert filed.status_code == 302 and filed["Location"].endswith(f"/{case.number}/")
    stored = {a.original_name: a for a in case.attachments.all()}
    assert set(stored) == {"摊位.png", "投诉信.pdf"}
    assert stored["摊位.png"].content_type == "image/png" and stored["投诉信.pdf"].content_type == "application/pdf"
    with stored["摊位.png"].file.open("rb") as f:
        assert f.read() == png_bytes()
    # Filed: the kept copies are gone (the case holds its own).
    assert not HeldUpload.objects.exists()

    # A second click on the button files nothing more, and says the form was already filed.
    again = client.post(HOTLINE, {**data, "file_anyway": confirm(html), "held": kept(html)}, follow=True)
    assert Case.objects.count() == 2 and "已由此表单登记" in again.content.decode()


def test_a_file_added_at_the_confirmation_goes_with_the_kept_ones(login, world, categories, earlier):
    client = login(world.users["clerk"])
    data, html = ask(client, world, categories, photo())
    client.post(HOTLINE, {**data, "file_anyway": confirm(html), "held": kept(html), "attachments": [pdf()]})
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert sorted(case.attachments.values_list("original_name", flat=True)) == ["投诉信.pdf", "摊位.png"]


def test_a_kept_file_can_be_removed(login, world, categories, earlier):
    client = login(world.users["clerk"])
    data, html = ask(client, world, categories, photo(), pdf())
    pdf_id = HeldUpload.objects.get(original_name="投诉信.pdf").pk
    assert f'name="drop_held" value="{pdf_id}"' in html  # a 移除 button beside it

    page = client.post(HOTLINE, {**data, "held": kept(html), "drop_held": str(pdf_id)})
    html = page.content.decode()
    # Removed, nothing filed: the page asks again with the one file left.
    assert page.status_code == 200 and Case.objects.count() == 1
    assert "投诉信.pdf" not in html and "摊位.png" in html and 'data-testid="duplicate-confirm"' in html
    assert not HeldUpload.objects.filter(pk=pdf_id).exists()

    client.post(HOTLINE, {**data, "file_anyway": confirm(html), "held": kept(html)})
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert list(case.attachments.values_list("original_name", flat=True)) == ["摊位.png"]


def test_a_file_that_fails_the_checks_is_not_kept(login, world, categories, earlier):
    client = login(world.users["clerk"])
    data = hotline_data(world, categories["street"], submission=form_key(client))
    fake = SimpleUploadedFile("照片.png", b"not a picture at all", content_type="image/png")
    html = client.post(HOTLINE, {**data, "attachments": [fake]}).content.decode()
    assert "照片.png 的文件类型不受支持" in html
    assert not HeldUpload.objects.exists() and Case.objects.count() == 1


def test_kept_files_belong_to_the_clerk_who_attached_them(login, world, categories, earlier):
    """Another clerk posting the same key and ids files nothing of them."""
    client = login(world.users["clerk"])
    data, html = ask(client, world, categories, photo())
    other = login(world.users["clerk2"])
    response = other.post(HOTLINE, {**data, "file_anyway": confirm(html), "held": kept(html)})
    assert response.status_code == 200 and Case.objects.count() == 1
    assert "请重新选择" in response.content.decode()
    assert HeldUpload.objects.count() == 1


def test_kept_files_of_a_call_never_filed_are_removed_after_the_age_limit(login, world, categories, earlier,
                                                                          settings):
    from wangge.web.tasks import remove_expired_uploads

    client = login(world.users["clerk"])
    data, html = ask(client, world, categories, photo())
    held = HeldUpload.objects.get()
    storage, name = held.file.storage, held.file.name
    assert storage.exists(name)

    remove_expired_uploads.call()
    assert HeldUpload.objects.count() == 1  # within the limit: kept

    HeldUpload.objects.update(created_at=timezone.now() - dt.timedelta(hours=settings.WANGGE_HELD_UPLOAD_HOURS,
                                                                       minutes=1))
    remove_expired_uploads.call()
    assert not HeldUpload.objects.exists() and not storage.exists(name)
    # Confirmed after that: not filed without them; the clerk is asked to choose them again.
    response = client.post(HOTLINE, {**data, "file_anyway": confirm(html), "held": kept(html)})
    assert response.status_code == 200 and Case.objects.count() == 1
    assert "请重新选择" in response.content.decode()


def test_the_removal_is_a_periodic_job():
    from wangge.core.periodic import periodic_jobs

    assert "web.held_uploads" in {job.name for job in periodic_jobs()}


def test_english(login, world, categories, earlier):
    client = login(world.users["clerk"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _data, html = ask(client, world, categories, photo())
    assert "Files kept with this call" in html and "摊位.png" in html and ">Remove<" in html
