"""Staff pages of the 12345 import (thin: forms → actions, selectors → templates)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.core.errors import DomainError, InvalidInput, NotFound
from wangge.org.models import Region

from . import actions, reports, selectors
from .choices import Field, JobStatus, Outcome
from .forms import ReplyForm, SourceForm, StartForm, UploadForm
from .permissions import can_import, subdistricts_for
from .rows import reason, shown_time

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importer(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_import(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None

    wrapped.__name__ = view.__name__
    return wrapped


@_importer
def home(request):
    sources = list(selectors.sources_for(request.user))
    return render(request, "intake_12345/home.html", {
        "sources": sources,
        "jobs": selectors.jobs_for(request.user)[:20],
        "upload_form": UploadForm(sources=sources),
        "reply_form": ReplyForm(sources=sources),
    })


@_importer
def source_edit(request, pk=None):
    source = selectors.source_for(request.user, pk) if pk else None
    subdistricts = subdistricts_for(request.user)
    initial = {"name": source.name, "subdistrict": source.subdistrict_id, "header_row": source.header_row} if source else {}
    form = SourceForm(request.POST or None, initial=initial, subdistricts=subdistricts,
                      mapping=source.mapping if source else None)
    if request.method == "POST" and form.is_valid():
        try:
            source = actions.save_source(
                actor=request.user, source=source, name=form.cleaned_data["name"],
                subdistrict=Region.objects.filter(pk=form.cleaned_data["subdistrict"]).first(),
                mapping=form.mapping(), header_row=form.cleaned_data["header_row"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Source %(name)s saved.") % {"name": source.name})
            return redirect("intake_12345:home")
    return render(request, "intake_12345/source_form.html", {"form": form, "source": source})


@_importer
@require_POST
def upload(request):
    sources = list(selectors.sources_for(request.user))
    form = UploadForm(request.POST, request.FILES, sources=sources)
    if form.is_valid():
        try:
            job = actions.upload_file(actor=request.user, source=selectors.source_for(request.user, form.cleaned_data["source"]),
                                      upload=form.cleaned_data["file"])
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return redirect("intake_12345:job", pk=job.pk)
    return render(request, "intake_12345/home.html", {
        "sources": sources, "jobs": selectors.jobs_for(request.user)[:20], "upload_form": form,
        "reply_form": ReplyForm(sources=sources)}, status=400)


def _job_context(job, **extra) -> dict:
    problems = [dict(p, reason=reason(p["code"], **p.get("params", {}))) for p in job.errors[:500]]
    preview = []
    for row in job.preview:
        preview.append(dict(row, received_at=shown_time(row.get("received_at")), deadline=shown_time(row.get("deadline")),
                            reasons=[f"{p['column']}：{reason(p['code'], **p.get('params', {}))}"
                                     for p in row.get("problems", [])]))
    done = job.status == JobStatus.DONE
    existing = job.lines.filter(outcome=Outcome.EXISTING).select_related("case")[:200] if done else []
    due_after = selectors.lines_due_after_hotline(job)[:200] if done else []
    return {"job": job, "problems": problems, "preview": preview, "existing": existing, "due_after": due_after,
            "stalled": actions.is_stalled(job), "fields": Field, "statuses": JobStatus, **extra}


@_importer
@require_GET
def job_detail(request, pk):
    job = selectors.job_for(request.user, pk)
    return render(request, "intake_12345/job.html", _job_context(job, start_form=StartForm()))


@_importer
@require_GET
def job_progress(request, pk):
    """The progress bar, polled by htmx while the job is under way (it stops polling when done:
    then the whole page is reloaded to show the result)."""
    job = selectors.job_for(request.user, pk)
    response = render(request, "intake_12345/partials/progress.html", {"job": job, "stalled": actions.is_stalled(job)})
    if not job.is_active and request.headers.get("HX-Request") == "true":
        response["HX-Refresh"] = "true"
    return response


@_importer
@require_POST
def job_start(request, pk):
    job = selectors.job_for(request.user, pk)
    form = StartForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Choose how to import."))
        actions.start_import(actor=request.user, job=job, mode=form.cleaned_data["mode"])
    except DomainError as error:
        job.refresh_from_db()
        return render(request, "intake_12345/job.html", _job_context(job, start_form=form, start_error=error.message),
                      status=400)
    return redirect("intake_12345:job", pk=job.pk)


@_importer
@require_POST
def job_resume(request, pk):
    job = selectors.job_for(request.user, pk)
    try:
        actions.resume_job(actor=request.user, job=job)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("intake_12345:job", pk=job.pk)


@_importer
@require_GET
def job_report(request, pk):
    job = selectors.job_for(request.user, pk)
    response = HttpResponse(reports.result_report(job), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="12345-import-{job.pk}.xlsx"'
    return response


@_importer
@require_GET
def reply(request):
    sources = selectors.sources_for(request.user)
    form = ReplyForm(request.GET, sources=list(sources))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("intake_12345:home")
    source = selectors.source_for(request.user, form.cleaned_data["source"]) if form.cleaned_data["source"] else None
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    lines = reports.cases_for_reply(source=source, sources=sources, start=start, end=end)
    # "All my sources" also answers the orders the linked 12345 system filed through the API.
    linked = None if source is not None else reports.linked_orders(
        subdistricts=subdistricts_for(request.user), start=start, end=end)
    response = HttpResponse(reports.reply_upward(lines, linked), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{reports.reply_filename(start, end)}"'
    return response
