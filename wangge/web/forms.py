"""Forms of the staff workbench. Each action form knows which action it runs (``run``); the
action checks permission and state and raises ``CaseError``, which the view puts back into the
form as a plain-language error."""

from __future__ import annotations

import secrets

from django import forms
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wangge.cases import actions, closing_rules
from wangge.cases.choices import (
    Channel,
    EventType,
    ExtensionStatus,
    HandlingType,
    Satisfaction,
    StarLevel,
)
from wangge.cases.errors import CaseNotFound, InvalidInput
from wangge.cases.models import Case, Category, ExtensionRequest
from wangge.cases.registry import attach_input, case_actions
from wangge.cases.selectors import case_for
from wangge.core.http import row_id
from wangge.org import address
from wangge.org.choices import RegionLevel, Role
from wangge.org.models import Department, Region, User
from wangge.residents.masking import full_phone

from . import caller_keys
from .models import SavedFilter
from .queries import suggest_categories

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class CategoryChoiceField(forms.ModelChoiceField):
    """The category tree as an indented list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Category.objects.filter(is_active=True).order_by("path"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return "\u3000" * (obj.depth - 1) + obj.display_name


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; their type and size are checked by the action."""

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


def photo_field(label=_("Photos"), accept: str = "image/*") -> MultipleFileField:
    return MultipleFileField(
        label=label, required=False,
        widget=MultipleFileInput(attrs={"accept": accept}),
        help_text=_("Up to 6 photos, 10 MB each."),
    )


# --------------------------------------------------------------------------------------------
# Dispatch targets: one value "kind:id" for a department, a person or a community/grid.
# --------------------------------------------------------------------------------------------


def target_choices(case: Case) -> list:
    departments = [(f"department:{d.pk}", d.name) for d in Department.objects.filter(is_active=True)]
    regions = []
    if case.subdistrict_id:
        nodes = Region.objects.filter(
            path__startswith=case.subdistrict.path, is_active=True,
            level__in=[RegionLevel.COMMUNITY, RegionLevel.GRID],
        ).order_by("path")
        regions = [(f"region:{r.pk}", ("\u3000" if r.level == RegionLevel.GRID else "") + r.name) for r in nodes]
    people_regions = [r for r in (case.grid_id, case.community_id) if r]
    people = User.objects.filter(
        is_active=True, roles__is_active=True, roles__region_id__in=people_regions,
        roles__role__in=[Role.GRID_WORKER, Role.GRID_CHIEF, Role.STREET_CHIEF_L3, Role.COMMUNITY_SECRETARY],
    ).distinct().order_by("username")
    return [
        (_("Departments"), departments),
        (_("Community / grid"), regions),
        (_("People"), [(f"user:{u.pk}", str(u)) for u in people]),
    ]


def parse_target(value: str) -> actions.Target:
    kind, _sep, pk = (value or "").partition(":")
    model = {"department": Department, "region": Region, "user": User}.get(kind)
    pk = row_id(pk)
    obj = model.objects.filter(pk=pk).first() if model is not None and pk else None
    if obj is None:
        raise InvalidInput(_("Choose a handler from the list."), fields={"lead": "invalid"})
    return actions.Target(**{kind: obj})


# --------------------------------------------------------------------------------------------
# Action forms
# --------------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base: ``action`` is the permission name; ``label`` the button."""

    action = ""
    label = ""
    style = "secondary"
    has_files = False
    # The version of the case the page showed (the id of its latest timeline entry, set by the
    # view): a refusal of a page left open while someone else acted on the case says who changed
    # it, when and what. Read leniently: a junk value only means nothing is said.
    seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, case: Case, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)

    def seen_version(self) -> int | None:
        return row_id(self.data.get(self.add_prefix("seen")))

    def show_version(self, version: int | None) -> None:
        """Draw the form with the case's ``version`` (a refused form drawn again has seen the case
        as it is now)."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix("seen")] = "" if version is None else str(version)
        else:
            self.initial["seen"] = version

    def run(self, *, actor, files):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def done_message(self, result) -> str:
        """What the person is told once the action ran (``result``: what ``run`` returned)."""
        return gettext("Done: %(action)s.") % {"action": self.label}


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA, max_length=2000)


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=2000)


class ClassifyFields(ActionForm):
    category = CategoryChoiceField(label=_("Category"), required=False)
    star = forms.TypedChoiceField(label=_("Star level"), choices=[("", "—"), *StarLevel.choices], coerce=int,
                                  required=False, empty_value=None)
    handling_type = forms.ChoiceField(label=_("Handling type"), choices=[("", "—"), *HandlingType.choices],
                                      required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA, max_length=2000)
    # What the form showed ("category|star|handling type"): the clerk's choices are what they
    # changed from it, so a form left open while someone else changed the case (an escalation
    # made it 3★) does not put back what it showed.
    shown = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)

    KEYS = ("category", "star", "handling_type")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("category", case.category_id)
            self.initial.setdefault("star", case.star)
            self.initial.setdefault("handling_type", case.handling_type)
            self.initial["shown"] = self.encode(self.current())

    def current(self) -> dict:
        return {"category": self.case.category_id, "star": self.case.star, "handling_type": self.case.handling_type}

    @staticmethod
    def encode(values: dict) -> str:
        return "|".join("" if values[k] is None else str(values[k]) for k in ClassifyFields.KEYS)

    def _shown(self, current: dict) -> dict:
        """The values the form was drawn with; the case's own when the post does not say."""
        parts = (self.cleaned_data.get("shown") or "").split("|")
        if len(parts) != len(self.KEYS):
            return current
        category, star, handling_type = parts
        return {"category": row_id(category), "star": row_id(star), "handling_type": handling_type}

    def _chosen(self) -> dict:
        d = self.cleaned_data
        return {"category": d["category"].pk if d.get("category") else None, "star": d.get("star"),
                "handling_type": d.get("handling_type") or ""}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        current, chosen = self.current(), self._chosen()
        shown = self._shown(current)
        labels = {"category": self.case.category.display_name if self.case.category_id else "—",
                  "star": StarLevel(current["star"]).label if current["star"] in StarLevel.values else "—",
                  "handling_type": (HandlingType(current["handling_type"]).label
                                    if current["handling_type"] in HandlingType.values else "—")}
        conflicts = [k for k in self.KEYS
                     if shown[k] != current[k] and chosen[k] != shown[k] and chosen[k] != current[k]
                     and not (k == "category" and chosen[k] is None)]
        for key in conflicts:
            self.add_error(key, gettext("Someone changed this meanwhile, to “%(value)s”. Check it and save "
                                        "again to replace it with your choice.") % {"value": labels[key]})
        if conflicts:
            # Drawn again, the form has seen the case as it is now: saving again is deliberate.
            self.data = self.data.copy()
            self.data[self.add_prefix("shown")] = self.encode(current)
        return data

    def classification(self) -> dict:
        """The clerk's choices: what they changed from what the form showed. A star level or
        handling type left as shown is no choice: a new category then brings its own (a 3★
        category is not filed as 1★ because the form showed the case's 1★), and what someone
        else changed meanwhile stays."""
        current, chosen = self.current(), self._chosen()
        shown = self._shown(current)
        changed = {k for k in self.KEYS if chosen[k] != shown[k] and chosen[k] != current[k]}
        d = self.cleaned_data
        return {"category": d["category"] if "category" in changed else None,
                "star": d["star"] if "star" in changed else None,
                "handling_type": (d["handling_type"] or None) if "handling_type" in changed else None,
                "note": d["note"]}


class AcceptForm(ClassifyFields):
    action, label, style = "accept", _("Accept"), "primary"

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case.category_id is None:
            # 智能分类: what the report's words suggest, chosen for the clerk to confirm or change.
            suggested = suggest_categories(f"{case.title} {case.description}")
            if suggested:
                self.initial["category"] = suggested[0].pk
                self.fields["category"].help_text = format_lazy(
                    _("Suggested from the report's words: {names}. Check before accepting."),
                    names="、".join(c.name for c in suggested))

    def run(self, *, actor, files):
        return actions.accept_case(case=self.case, actor=actor, **self.classification())


class ClassifyForm(ClassifyFields):
    action, label = "classify", _("Reclassify")

    def run(self, *, actor, files):
        return actions.classify_case(case=self.case, actor=actor, **self.classification())


class RejectForm(ReasonForm):
    action, label, style = "reject", _("Reject"), "danger"

    def run(self, *, actor, files):
        return actions.reject_case(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class DispatchForm(ActionForm):
    action, label, style = "dispatch", _("Dispatch"), "primary"
    lead = forms.ChoiceField(label=_("Lead handler"))
    co_handlers = forms.MultipleChoiceField(
        label=_("Co-handlers (joint handling)"), required=False,
        # A searchable list of checkboxes (static/js/wangge.js): no Ctrl-click to choose several.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "picker-option"}),
        help_text=_("Each co-handler is summoned (whistle) and must report in."),
    )
    note = forms.CharField(label=_("Instructions"), required=False, widget=TEXTAREA, max_length=2000)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        choices = target_choices(case)
        self.fields["lead"].choices = [("", "—"), *choices]
        self.fields["co_handlers"].choices = choices
        if not self.is_bound and case.category_id and case.category.default_department_id:
            self.initial["lead"] = f"department:{case.category.default_department_id}"

    def targets(self):
        lead = parse_target(self.cleaned_data["lead"])
        return lead, [parse_target(v) for v in self.cleaned_data["co_handlers"]]

    def run(self, *, actor, files):
        lead, co = self.targets()
        return actions.dispatch_case(case=self.case, actor=actor, lead=lead, co_handlers=co,
                                     note=self.cleaned_data["note"])


class RedispatchForm(DispatchForm):
    action, label, style = "redispatch", _("Pass on"), "secondary"

    def run(self, *, actor, files):
        lead, co = self.targets()
        return actions.redispatch_case(case=self.case, actor=actor, lead=lead, co_handlers=co,
                                       note=self.cleaned_data["note"])


class ClaimForm(NoteForm):
    action, label, style = "claim", _("Claim / start work"), "primary"

    def run(self, *, actor, files):
        return actions.claim_case(case=self.case, actor=actor, note=self.cleaned_data["note"])


class ReportInForm(NoteForm):
    action, label, style = "report_in", _("Report in"), "primary"

    def run(self, *, actor, files):
        return actions.report_in(case=self.case, actor=actor, note=self.cleaned_data["note"])


class ReturnForm(ReasonForm):
    action, label, style = "return", _("Return (wrong dispatch)"), "danger"

    def run(self, *, actor, files):
        return actions.return_case(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class ProgressForm(ActionForm):
    action, label, has_files = "progress", _("Add progress note"), True
    note = forms.CharField(label=_("Progress"), widget=TEXTAREA, max_length=2000)
    photos = photo_field()
    public = forms.BooleanField(label=_("Show to the resident"), required=False)

    def run(self, *, actor, files):
        return actions.add_progress_note(case=self.case, actor=actor, note=self.cleaned_data["note"],
                                         attachments=files, public=self.cleaned_data["public"])


class ExtensionRequestForm(ActionForm):
    action, label = "request_extension", _("Request extension")
    working_days = forms.IntegerField(label=_("More working days"), min_value=1, max_value=30, initial=3)
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=2000)

    def run(self, *, actor, files):
        return actions.request_extension(case=self.case, actor=actor, working_days=self.cleaned_data["working_days"],
                                         reason=self.cleaned_data["reason"])


class ExtensionDecisionForm(ActionForm):
    action, label, style = "decide_extension", _("Decide extension"), "primary"
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve")), ("deny", _("Deny"))])
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA, max_length=2000,
                           help_text=_("Required when you deny: the officer reads why."))

    def clean(self):
        data = super().clean()
        # The core takes a note but does not ask for one; a refusal without a reason leaves the
        # officer guessing, so the form asks for it (and passes it as the decision's note).
        if data.get("decision") == "deny" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for denying the extension."))
        return data

    def pending(self) -> ExtensionRequest | None:
        return self.case.extension_requests.filter(status=ExtensionStatus.PENDING).first()

    def run(self, *, actor, files):
        request = self.pending()
        if request is None:
            raise InvalidInput(_("There is no extension request waiting for a decision."))
        return actions.decide_extension(request=request, actor=actor,
                                        approve=self.cleaned_data["decision"] == "approve",
                                        note=self.cleaned_data["note"])

    def done_message(self, result: ExtensionRequest) -> str:
        if result.status != ExtensionStatus.APPROVED:
            return gettext("Extension request denied.")
        due = Case.objects.filter(pk=result.case_id).values_list("resolve_due_at", flat=True).first()
        return ngettext("Extension of %(days)d working day approved; the new deadline to resolve is %(due)s.",
                        "Extension of %(days)d working days approved; the new deadline to resolve is %(due)s.",
                        result.working_days) % {
            "days": result.working_days, "due": date_format(localtime(due), "Y-m-d H:i") if due else "—"}


class SuspendForm(ReasonForm):
    action, label = "suspend", _("Suspend")

    def run(self, *, actor, files):
        return actions.suspend_case(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class ResumeForm(NoteForm):
    action, label, style = "resume", _("Resume"), "primary"

    def run(self, *, actor, files):
        return actions.resume_case(case=self.case, actor=actor, note=self.cleaned_data["note"])


class ResolveForm(ActionForm):
    action, label, style, has_files = "resolve", _("Resolve"), "primary", True
    result = forms.CharField(label=_("Result (told to the resident)"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=5000)
    photos = photo_field(_("Photos of the result"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 吹哨报到: while a summoned co-handler has not reported in, the lead says why it resolves
        # without them (asked only then; the action refuses without it).
        missing = actions.not_reported_in(self.case)
        if missing:
            self.fields["without_report_in"] = forms.CharField(
                label=_("Reason for resolving before every co-handler reported in"), widget=TEXTAREA,
                max_length=2000,
                help_text=_("Not reported in (报到) yet: %(handlers)s. The reason is recorded with their names.")
                % {"handlers": "、".join(missing)})

    def run(self, *, actor, files):
        return actions.resolve_case(case=self.case, actor=actor, result=self.cleaned_data["result"],
                                    attachments=files, without_report_in=self.cleaned_data.get("without_report_in", ""))


class EscalateForm(ReasonForm):
    action, label, style = "escalate", _("Escalate"), "warning"

    def run(self, *, actor, files):
        return actions.escalate_case(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class RevisitForm(ActionForm):
    """回访 (三看): each check answered yes / no with the resident's own words. When the resident
    does not accept the answer, the clerk chooses what follows — reopen or escalate — in the same
    step: a revisit that is not accepted is never just "done"."""

    action, label, style = "revisit", _("Record revisit"), "primary"
    CHECKS = (("lawful", _("Handled according to law (依法依规)")),
              ("in_place", _("Measures really in place (措施落实)")),
              ("accepted", _("Resident understands and accepts (理解认可)")))
    lawful = forms.ChoiceField(label=CHECKS[0][1], choices=YES_NO, widget=forms.RadioSelect)
    lawful_words = forms.CharField(label=_("What the resident said"), required=False, max_length=1000,
                                   widget=forms.TextInput)
    in_place = forms.ChoiceField(label=CHECKS[1][1], choices=YES_NO, widget=forms.RadioSelect)
    in_place_words = forms.CharField(label=_("What the resident said"), required=False, max_length=1000,
                                     widget=forms.TextInput)
    accepted = forms.ChoiceField(label=CHECKS[2][1], choices=YES_NO, widget=forms.RadioSelect)
    accepted_words = forms.CharField(label=_("What the resident said"), required=False, max_length=1000,
                                     widget=forms.TextInput)
    follow_up = forms.ChoiceField(
        label=_("The resident does not accept: what next?"), required=False, widget=forms.RadioSelect,
        choices=[("reopen", _("Reopen — back to the handler")), ("escalate", _("Escalate — send it up one level"))])
    note = forms.CharField(label=_("Callback note"), required=False, widget=TEXTAREA, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("accepted") == "no" and not data.get("follow_up"):
            self.add_error("follow_up", _("The resident does not accept the answer: reopen the case or escalate it."))
        if data.get("accepted") == "yes":
            data["follow_up"] = ""
        return data

    def run(self, *, actor, files):
        d = self.cleaned_data
        return actions.revisit_case(
            case=self.case, actor=actor, lawful=d["lawful"] == "yes", in_place=d["in_place"] == "yes",
            accepted=d["accepted"] == "yes", note=d["note"], lawful_words=d["lawful_words"],
            in_place_words=d["in_place_words"], accepted_words=d["accepted_words"], follow_up=d["follow_up"])


class RateForm(ActionForm):
    """评价 on the resident's behalf. 不满意 reopens the case and sends it back to its handler: the
    clerk writes down what the resident is not satisfied with (the reopened case carries it), and
    is told where the case went."""

    action, label = "rate", _("Record rating")
    satisfaction = forms.ChoiceField(label=_("Resident's rating"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=TEXTAREA, max_length=1000,
                              help_text=_("Required when the resident is not satisfied: what with, in their words. "
                                          "The case is reopened and the handler reads it."))

    def clean(self):
        data = super().clean()
        if data.get("satisfaction") == Satisfaction.UNSATISFIED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("The resident is not satisfied: write down what with, so the handler "
                                        "knows what to do again."))
        return data

    def run(self, *, actor, files):
        return actions.rate_case(case=self.case, actor=actor, satisfaction=self.cleaned_data["satisfaction"],
                                 comment=self.cleaned_data["comment"])

    def done_message(self, result: Case) -> str:
        if result.satisfaction != Satisfaction.UNSATISFIED:
            return gettext("Rating recorded: %(rating)s.") % {"rating": result.get_satisfaction_display()}
        lead = result.lead_assignment()
        if lead is None:
            return gettext("Rating recorded: unsatisfied. The case was reopened.")
        return gettext("Rating recorded: unsatisfied. The case was reopened and sent back to %(handler)s.") % {
            "handler": lead.target}


class ReopenForm(ReasonForm):
    action, label, style = "reopen", _("Reopen"), "warning"

    def run(self, *, actor, files):
        return actions.reopen_case(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class RevisitAttemptForm(NoteForm):
    """回访未接通 — one callback that did not reach the resident."""

    action, label = "revisit_attempt", _("Callback not reached")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = _("When you called and what happened (no answer, switched off, wrong number).")

    def run(self, *, actor, files):
        return actions.record_revisit_attempt(case=self.case, actor=actor, note=self.cleaned_data["note"])

    def done_message(self, result) -> str:
        made, needed = closing_rules.failed_attempts(result), closing_rules.revisit_attempts_needed()
        last = result.events.filter(type=EventType.REVISIT_FAILED).order_by("-created_at", "-pk").first()
        if last is not None and last.data.get("too_soon"):
            minutes = int(closing_rules.revisit_attempt_gap().total_seconds() // 60)
            return gettext("Callback recorded, but it does not count yet (%(made)d of %(needed)d): it came within "
                           "%(minutes)d minutes of the last one. Call again at a different time.") % {
                "made": made, "needed": needed, "minutes": minutes}
        return gettext("Callback not reached recorded (%(made)d of %(needed)d).") % {"made": made, "needed": needed}


class CloseForm(NoteForm):
    """结案 — asks only what the closing rule needs for this case: why there is no revisit, or
    that the resident declined to rate (see ``cases.closing_rules``)."""

    action, label, style = "close", _("Close the case"), "primary"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.case
        if closing_rules.revisited_now(case):
            if not case.answer_rated:
                self.fields["rating_declined"] = forms.BooleanField(
                    label=_("The resident declined to rate the answer (recorded)"), required=True,
                    error_messages={"required": _("The resident's rating is not recorded: record it first, or "
                                                  "confirm that the resident declined to rate.")})
        else:
            reasons = closing_rules.no_revisit_reasons(case)
            self.fields["without_revisit"] = forms.ChoiceField(
                label=_("No revisit: why"), widget=forms.RadioSelect,
                choices=[(r, closing_rules.NoRevisit(r).label) for r in reasons],
                initial=reasons[0] if len(reasons) == 1 else None)
        self.order_fields(["without_revisit", "rating_declined", "note"])

    def run(self, *, actor, files):
        d = self.cleaned_data
        return actions.close_case(case=self.case, actor=actor, note=d["note"],
                                  without_revisit=d.get("without_revisit", ""),
                                  rating_declined=bool(d.get("rating_declined")))


class MergeForm(ActionForm):
    action, label, style = "merge", _("Merge as duplicate"), "danger"
    into = forms.CharField(label=_("Number of the case that carries on"), max_length=20,
                           widget=forms.TextInput(attrs={"placeholder": "WG20260101-00001"}))
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA, max_length=2000)

    def run(self, *, actor, files):
        try:
            target = case_for(actor, self.cleaned_data["into"].strip().upper())
        except CaseNotFound:
            raise InvalidInput(_("No case with that number."), fields={"into": "not_found"}) from None
        return actions.merge_case(case=self.case, into=target, actor=actor, note=self.cleaned_data["note"])


class UrgeForm(NoteForm):
    action, label, style = "urge", _("Urge"), "warning"

    def run(self, *, actor, files):
        return actions.urge_case(case=self.case, actor=actor, note=self.cleaned_data["note"])


# Each form is attached to its action in the one registry of case actions (cases.registry).
for _form in [
    AcceptForm, RejectForm, ClassifyForm, DispatchForm, RedispatchForm, ClaimForm, ReportInForm,
    ReturnForm, ProgressForm, ExtensionRequestForm, ExtensionDecisionForm, SuspendForm, ResumeForm,
    ResolveForm, EscalateForm, RevisitForm, RevisitAttemptForm, RateForm, ReopenForm, CloseForm, MergeForm,
    UrgeForm,
]:
    attach_input(_form.action, "web_form", _form)
del _form


def action_form(action: str) -> type[ActionForm] | None:
    """The workbench form of a registered case action (None: no form, or no such action)."""
    spec = case_actions.get(action)
    return spec.inputs.get("web_form") if spec else None


# --------------------------------------------------------------------------------------------
# Hotline intake, bulk dispatch, saved filters
# --------------------------------------------------------------------------------------------


def grid_choices() -> list:
    """Active grids grouped by community."""
    groups: dict[str, list] = {}
    communities = {r.pk: r for r in Region.objects.filter(level=RegionLevel.COMMUNITY)}
    for grid in Region.objects.filter(level=RegionLevel.GRID, is_active=True).order_by("path"):
        parent = next((c for c in communities.values() if grid.path.startswith(c.path)), None)
        groups.setdefault(parent.name if parent else "", []).append((grid.pk, grid.name))
    return [("", _("Choose a grid")), *groups.items()]


class HotlineForm(forms.Form):
    """热线受理 — the clerk's form; field order is the tab order."""

    reporter_phone = forms.CharField(label=_("Caller's phone"), max_length=32, required=False,
                                     widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel",
                                                                   "autocomplete": "off"}))
    reporter_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}))
    reporter_anonymous = forms.BooleanField(label=_("Caller wishes to stay anonymous"), required=False)
    description = forms.CharField(label=_("What the caller reports"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    category = CategoryChoiceField(label=_("Category"), required=False)
    grid = forms.TypedChoiceField(label=_("Grid"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    star = forms.TypedChoiceField(label=_("Star level"), choices=[("", _("From the category")), *StarLevel.choices],
                                  coerce=int, required=False, empty_value=None)
    handling_type = forms.ChoiceField(label=_("Handling type"),
                                      choices=[("", _("From the category")), *HandlingType.choices], required=False)
    attachments = photo_field(_("Photos or documents"), accept="image/*,application/pdf,audio/*")
    dispatch_now = forms.BooleanField(label=_("Accept and dispatch immediately to the category's department"),
                                      required=False)
    # One random key per form shown (防重复提交): the same call saved twice from it — a double
    # click, Ctrl+Enter pressed again while the page loads — is filed once (``create_case``'s
    # idempotency key, kept under the hotline's own source namespace).
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # 仍然登记为新事件: the numbers of the likely duplicates the clerk was shown and chose to file
    # beside (sent by that button only).
    file_anyway = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    SOURCE = "hotline:form"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = grid_choices()
        self.fields["category"].empty_label = _("Choose a category")
        if not self.is_bound:
            self.fields["submission"].initial = secrets.token_urlsafe(16)

    def new_submission(self) -> None:
        """Give the form (drawn again) a new key: saving it again files a new case."""
        self.data = self.data.copy()
        self.data[self.add_prefix("submission")] = secrets.token_urlsafe(16)

    def confirmed_duplicates(self) -> set[str]:
        """The case numbers the clerk chose to file beside (仍然登记为新事件)."""
        return {n.strip() for n in (self.cleaned_data.get("file_anyway") or "").split(",") if n.strip()}

    def clean(self):
        data = super().clean()
        if data.get("dispatch_now") and not data.get("category"):
            self.add_error("category", _("Choose a category to dispatch immediately."))
        return data

    def create_kwargs(self) -> dict:
        d = self.cleaned_data
        has_point = d.get("longitude") is not None and d.get("latitude") is not None
        region = None
        if not has_point and d.get("grid"):
            region = Region.objects.filter(pk=d["grid"], level=RegionLevel.GRID).first()
        if region is None and not has_point and d.get("address"):
            # No grid chosen: the address names the place (地址落格), as the search would.
            place = address.place_in(d["address"])
            if place is not None and place.grid_id:
                region = Region.objects.filter(pk=place.grid_id).first()
        return dict(
            channel=Channel.HOTLINE, description=d["description"], category=d["category"], region=region,
            longitude=d["longitude"] if has_point else None, latitude=d["latitude"] if has_point else None,
            address=d["address"], reporter_name=d["reporter_name"], reporter_phone=d["reporter_phone"],
            reporter_anonymous=d["reporter_anonymous"], star=d["star"], handling_type=d["handling_type"] or None,
            **({"source": self.SOURCE, "idempotency_key": d["submission"]} if d.get("submission") else {}),
        )


class FieldReportForm(forms.Form):
    """随手报 — a grid worker reports what they found on the ground: filed on the patrol channel
    (巡查发现), never as a hotline call. The place: the address found in the territory search (which
    sets the grid), the phone's position, or one of their own grids."""

    description = forms.CharField(label=_("What did you find?"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    category = CategoryChoiceField(label=_("Category"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    place = forms.TypedChoiceField(label=_("Grid"), coerce=int, required=False, empty_value=None)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = photo_field(_("Photos"))

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("Not sure — the clerk classifies it")
        own = [(g.pk, g.name) for g in grids]
        others = [(pk, name) for pk, name in Region.objects.filter(level=RegionLevel.GRID, is_active=True)
                  .exclude(pk__in=[g.pk for g in grids]).order_by("path").values_list("pk", "name")]
        # Their own grids first (the first is chosen); the address search may find another one.
        self.fields["place"].choices = [(_("My grids"), own), (_("Other grids"), others)] if others else own
        self.grids = {g.pk: g for g in grids}

    def create_kwargs(self) -> dict:
        d = self.cleaned_data
        has_point = d.get("longitude") is not None and d.get("latitude") is not None
        region = None
        if not has_point and d.get("place"):
            region = self.grids.get(d["place"]) or Region.objects.filter(pk=d["place"]).first()
        return {"channel": Channel.PATROL, "description": d["description"], "category": d["category"],
                "region": region, "longitude": d["longitude"] if has_point else None,
                "latitude": d["latitude"] if has_point else None, "address": d["address"]}


class BulkDispatchForm(forms.Form):
    cases = forms.MultipleChoiceField(label=_("Cases"), choices=[])
    department = forms.ModelChoiceField(label=_("Dispatch to department"), empty_label=_("Choose a department"),
                                        queryset=Department.objects.filter(is_active=True))
    note = forms.CharField(label=_("Instructions"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any number is accepted here; each one is looked up in the user's scope when dispatching.
        numbers = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        self.fields["cases"].choices = [(n, n) for n in numbers[:200]]


class SavedFilterForm(forms.ModelForm):
    class Meta:
        model = SavedFilter
        fields = ["name", "querystring"]
        widgets = {"querystring": forms.HiddenInput}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = _("Name this filter")

    def clean_querystring(self):
        """A caller's phone is not saved: a saved filter is a standing query kept for months,
        and a phone look-up belongs to one call (its key expires with it, its number must not be
        kept in clear). Said, rather than saving the other filters silently without it."""
        querystring = self.cleaned_data["querystring"]
        params = QueryDict(querystring)
        if params.get(caller_keys.PARAM) or any(full_phone(value) for value in params.getlist("q")):
            raise forms.ValidationError(_("A search for a caller's phone cannot be saved as a filter: it belongs to "
                                          "one call. Clear the caller search, then save the other filters."))
        return querystring

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if SavedFilter.objects.filter(user=self.user, name=name).exists():
            raise forms.ValidationError(_("You already have a filter with this name."))
        return name

    def save(self, commit=True):
        self.instance.user = self.user
        return super().save(commit)

