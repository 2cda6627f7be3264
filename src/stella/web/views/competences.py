"""The „Kompetenzprofil“ of a person's file: school, qualifications with recognition, work experience coded in
KldB 2010, skills and driving licences, language assessments and circumstances. Forms add rows, rows are ended
(never deleted) after a confirmation, unconfirmed job titles get KldB suggestions with one-click confirmation.
All reads and writes go through `competences.services` / `competences.profile` (policy and audit there)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from stella.authz.policy import Action, Category, decide
from stella.cases.services import FileOverview
from stella.competences import profile as read
from stella.competences import services
from stella.competences.models import (
    Certificate,
    LevelSource,
    Mobility,
    ProfileRow,
    Qualification,
    QualificationKind,
    Recognition,
    SkillKind,
    WorkExperience,
)
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.people.validators import CEFR_LEVELS
from stella.web.choices import country_choices, language_choices
from stella.web.forms import GermanDateField, StellaForm, _choices
from stella.web.labels import translate_message
from stella.web.views.common import actor_of, not_found, refuse
from stella.web.views.files import _frame, _open

#: The file's tab that stays highlighted on these pages.
TAB = Category.COMPETENCES.value


# ---------------------------------------------------------------------------------------------------------------
# Forms


def _country_field(label: Any = None) -> forms.ChoiceField:
    return forms.ChoiceField(label=label or gettext_lazy("Land"), choices=(), required=False)


def _text(label: Any, max_length: int, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    """A text field for what people write in any script: the browser picks the direction from the content."""
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text,
                           widget=forms.TextInput(attrs={"dir": "auto"}))


class _CountryForm(StellaForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "country" in self.fields:
            self.fields["country"].choices = country_choices(blank=_("– keine Angabe –"))  # type: ignore[attr-defined]


class SchoolForm(_CountryForm):
    years = forms.IntegerField(label=gettext_lazy("Schuljahre"), min_value=0, max_value=services.MAX_SCHOOL_YEARS,
                               widget=forms.NumberInput(attrs={"class": "input-short"}))
    certificate = forms.ChoiceField(label=gettext_lazy("Höchster Abschluss"), choices=())
    country = _country_field(gettext_lazy("Land der Schule"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["certificate"].choices = _choices(Certificate)


def _occupation_field(help_text: Any) -> forms.CharField:
    return forms.CharField(label=gettext_lazy("Beruf (KldB 2010)"), max_length=5, required=False,
                           help_text=help_text,
                           widget=forms.TextInput(attrs={"class": "input-short", "inputmode": "numeric",
                                                         "autocomplete": "off"}))


class RecognitionForm(StellaForm):
    recognition = forms.ChoiceField(label=gettext_lazy("Anerkennung in Deutschland"), choices=(),
                                    widget=forms.RadioSelect)
    recognition_body = _text(gettext_lazy("Anerkennende Stelle"), 200, required=False,
                             help_text=gettext_lazy("z. B. IHK FOSA, HWK, Regierungspräsidium"))
    recognition_date = GermanDateField(label=gettext_lazy("Datum des Antrags bzw. der Entscheidung"),
                                       required=False, help_text=gettext_lazy("TT.MM.JJJJ"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recognition"].choices = _choices(Recognition)
        self.fields["recognition"].initial = self.fields["recognition"].initial or Recognition.NOT_STARTED


class QualificationForm(RecognitionForm, _CountryForm):
    kind = forms.ChoiceField(label=gettext_lazy("Art"), choices=(), widget=forms.RadioSelect)
    title = _text(gettext_lazy("Bezeichnung (wie angegeben)"), 200,
                  help_text=gettext_lazy("In jeder Sprache und Schrift, z. B. wie auf dem Zeugnis."))
    country = _country_field()
    year = forms.IntegerField(label=gettext_lazy("Abschlussjahr"), required=False,
                              widget=forms.NumberInput(attrs={"class": "input-short"}))
    occupation_code = _occupation_field(gettext_lazy("Optional: der entsprechende Beruf (fünfstelliger Schlüssel)."))

    field_order = ["kind", "title", "country", "year", "occupation_code", "recognition", "recognition_body",
                   "recognition_date"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(QualificationKind)


class ExperienceForm(_CountryForm):
    title = _text(gettext_lazy("Berufsbezeichnung (wie angegeben)"), 200,
                  help_text=gettext_lazy("So, wie die Person ihren Beruf nennt – in jeder Sprache und Schrift."))
    language = forms.ChoiceField(label=gettext_lazy("Sprache der Angabe"), choices=(), required=False)
    years = forms.CharField(label=gettext_lazy("Jahre Erfahrung"), max_length=5,
                            help_text=gettext_lazy("z. B. 4 oder 2,5"),
                            widget=forms.TextInput(attrs={"class": "input-short", "inputmode": "decimal"}))
    country = _country_field()
    occupation_code = _occupation_field(gettext_lazy("Nur, wenn der Beruf schon feststeht; sonst wird er später "
                                                     "anhand von Vorschlägen bestätigt."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(blank=_("– keine Angabe –"))

    def clean_years(self) -> Decimal:
        text = self.cleaned_data["years"].strip().replace(",", ".")
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_("Bitte eine Zahl eingeben, z. B. 4 oder 2,5.")) from exc


class SkillForm(StellaForm):
    error_map: ClassVar[dict[str, str]] = {"kind": "value"}
    value = _text(gettext_lazy("Fähigkeit"), 120, help_text=gettext_lazy("z. B. Gabelstaplerschein, Schweißen, "
                                                                          "MS Office"))

    def payload(self) -> dict[str, Any]:
        return {"kind": SkillKind.SKILL, "value": self.cleaned_data["value"]}


class DrivingLicenceForm(StellaForm):
    error_map: ClassVar[dict[str, str]] = {"kind": "value"}
    value = forms.ChoiceField(label=gettext_lazy("Führerscheinklasse"), choices=(),
                              help_text=gettext_lazy("Fahrerlaubnisklasse nach §6 FeV"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", _("– bitte wählen –"))] + [
            (c, c) for c in services.DRIVING_LICENCE_CLASSES]

    def payload(self) -> dict[str, Any]:
        return {"kind": SkillKind.DRIVING_LICENCE, "value": self.cleaned_data["value"]}


def _level_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=(), required=False)


class LanguageAssessmentForm(StellaForm):
    language = forms.ChoiceField(label=gettext_lazy("Sprache"), choices=(), initial="de")
    speaking = _level_field(gettext_lazy("Sprechen"))
    understanding = _level_field(gettext_lazy("Hören/Verstehen"))
    reading = _level_field(pgettext_lazy("Fertigkeit", "Lesen"))
    writing = _level_field(gettext_lazy("Schreiben"))
    source = forms.ChoiceField(label=gettext_lazy("Quelle des Niveaus"), choices=(), widget=forms.RadioSelect)
    source_detail = _text(gettext_lazy("Nachweis"), 200, required=False,
                          help_text=gettext_lazy("z. B. DTZ, telc Deutsch B1, Goethe-Zertifikat"))
    assessed_on = GermanDateField(label=gettext_lazy("Festgestellt am"), help_text=gettext_lazy("TT.MM.JJJJ"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(blank=_("– bitte wählen –"))
        levels = [("", _("nicht festgestellt"))] + [(lvl, _("Muttersprache") if lvl == "MT" else lvl)
                                                      for lvl in CEFR_LEVELS]
        for skill in read.SKILL_FIELDS:
            self.fields[skill].choices = levels
        self.fields["source"].choices = _choices(LevelSource)


class CircumstancesForm(StellaForm):
    needs_childcare = forms.BooleanField(label=gettext_lazy("Braucht Kinderbetreuung"), required=False)
    women_only = forms.BooleanField(label=gettext_lazy("Nur Angebote für Frauen"), required=False)
    part_time_only = forms.BooleanField(label=gettext_lazy("Nur Teilzeit"), required=False)
    mobility = forms.ChoiceField(label=gettext_lazy("Erreichbar"), choices=(), widget=forms.RadioSelect)
    residence_obligation = forms.BooleanField(label=gettext_lazy("Wohnsitzauflage"), required=False,
                                              help_text=gettext_lazy("Angebote nur im Landkreis"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mobility"].choices = _choices(Mobility)
        self.fields["mobility"].initial = self.fields["mobility"].initial or Mobility.DISTRICT


class ConfirmForm(StellaForm):
    code = _occupation_field(gettext_lazy("Fünfstelliger Schlüssel einer Berufsgattung"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = True


# ---------------------------------------------------------------------------------------------------------------
# What each add form does


@dataclass(frozen=True)
class AddSpec:
    """One „hinzufügen“ page: URL slug, form, service call, title and a line of guidance."""

    form: type[StellaForm]
    service: Callable[..., Any]
    title: Any
    lead: Any = ""
    anchor: str = ""


def _payload(form: StellaForm) -> dict[str, Any]:
    payload = getattr(form, "payload", None)
    return payload() if payload else dict(form.cleaned_data)


ADD: dict[str, AddSpec] = {
    "schulbildung": AddSpec(SchoolForm, services.add_school_education, gettext_lazy("Schulbildung erfassen"),
                            anchor="schule"),
    "qualifikation": AddSpec(QualificationForm, services.add_qualification,
                             gettext_lazy("Berufs- oder Hochschulabschluss erfassen"),
                             gettext_lazy("Mit dem Stand der Anerkennung in Deutschland. Ab „beantragt“ bitte die "
                                          "Stelle angeben, ab „teilweise gleichwertig“ auch das Datum der "
                                          "Entscheidung."), anchor="qualifikationen"),
    "berufserfahrung": AddSpec(ExperienceForm, services.add_work_experience, gettext_lazy("Berufserfahrung erfassen"),
                               gettext_lazy("Die Berufsbezeichnung wird so gespeichert, wie sie angegeben wurde. "
                                            "Den passenden Beruf der KldB 2010 bestätigen Sie danach anhand von "
                                            "Vorschlägen."), anchor="erfahrung"),
    "faehigkeit": AddSpec(SkillForm, services.add_skill, gettext_lazy("Fähigkeit erfassen"), anchor="faehigkeiten"),
    "fuehrerschein": AddSpec(DrivingLicenceForm, services.add_skill, gettext_lazy("Führerschein erfassen"),
                             anchor="faehigkeiten"),
    "sprache": AddSpec(LanguageAssessmentForm, services.add_language_assessment, gettext_lazy("Sprachstand erfassen"),
                       gettext_lazy("Niveau je Fertigkeit nach dem Gemeinsamen Europäischen Referenzrahmen; "
                                    "mindestens eine Fertigkeit angeben."), anchor="sprachen"),
    "rahmenbedingungen": AddSpec(CircumstancesForm, services.set_circumstances,
                                 gettext_lazy("Rahmenbedingungen festlegen"),
                                 gettext_lazy("Die neue Angabe ersetzt die bisherige; diese bleibt im Verlauf."),
                                 anchor="rahmenbedingungen"),
}
#: URL slug of a row kind (services.KINDS key) for the end pages.
END_SLUGS = {"schulbildung": "school", "qualifikation": "qualifications", "berufserfahrung": "experience",
             "faehigkeit": "skills", "sprache": "languages", "rahmenbedingungen": "circumstances"}


# ---------------------------------------------------------------------------------------------------------------
# Pages


def _profile_url(pk: int, anchor: str = "") -> str:
    return reverse("web:competences", args=[pk]) + (f"#{anchor}" if anchor else "")


def _writable(request: HttpRequest, pk: int) -> tuple[Actor, FileOverview, HttpResponse | None]:
    """Open the file for a write page: (actor, file, None), or the standard refusal page as the third item."""
    actor = actor_of(request)
    ov = _open(actor, pk)
    decision = decide(actor, Action.WRITE, Category.COMPETENCES, ov.context)
    return actor, ov, None if decision else refuse(request, decision.reason)


def _submit(request: HttpRequest, form: StellaForm, call: Callable[[dict[str, Any]], Any],
            done: Callable[[Any], str], target: str) -> tuple[HttpResponse | None, int]:
    """Validate a posted form and run its service: a redirect with a success message, or (None, status) with the
    service's errors on the form (German, like every form of the file)."""
    if not form.is_valid():
        return None, 422
    try:
        result = call(_payload(form))
    except InvalidInput as exc:
        form.apply_service_errors(exc)
        return None, 422
    except AccessDenied as exc:
        form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
        return None, 403
    except NotFound as exc:
        raise not_found(exc) from exc
    messages.success(request, done(result))
    return redirect(target), 302


@login_required
def profile_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    history = request.GET.get("verlauf") == "1"
    context = _frame(request, ov, TAB, history=history)
    try:
        data = read.profile(actor=actor, person_id=pk, history=history)
    except AccessDenied as exc:
        context["refusal"] = translate_message(exc.reason)
        return render(request, "web/competences/profile.html", context, status=403)
    may_write = decide(actor, Action.WRITE, Category.COMPETENCES, ov.context).allowed
    # Suggestions serve the one-click confirmation, so only those who may confirm get them.
    for row_id, candidates in read.suggestions_for(data.unconfirmed if may_write else []).items():
        next(r for r in data.experience if r.pk == row_id).suggestions = candidates  # type: ignore[attr-defined]
    context.update(profile=data, may_write=may_write)
    return render(request, "web/competences/profile.html", context)


@login_required
def add_row(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    spec = ADD.get(slug)
    if spec is None:
        raise Http404(_("Diese Seite gibt es nicht."))
    actor, ov, refused = _writable(request, pk)
    if refused:
        return refused
    status = 200
    if request.method == "POST":
        form = spec.form(request.POST)
        response, status = _submit(request, form, lambda data: spec.service(actor=actor, person_id=pk, **data),
                                   lambda _row: _("Gespeichert."), _profile_url(pk, spec.anchor))
        if response:
            return response
    else:
        form = spec.form(initial=_initial(slug, pk, actor))
    return render(request, "web/competences/row_form.html",
                  _frame(request, ov, TAB, form=form, title=spec.title, lead=spec.lead), status=status)


def _initial(slug: str, pk: int, actor: Actor) -> dict[str, Any]:
    """The circumstances form starts from the current ones (an audited read like the profile page)."""
    if slug != "rahmenbedingungen":
        return {}
    current = read.profile(actor=actor, person_id=pk).current_circumstances
    if current is None:
        return {}
    return {f: getattr(current, f) for f in CircumstancesForm.base_fields}


@login_required
def end_row(request: HttpRequest, pk: int, slug: str, row_id: int) -> HttpResponse:
    """GET asks for confirmation; POST ends the row (it stays in the history)."""
    kind = services.KINDS.get(END_SLUGS.get(slug, ""))
    if kind is None:
        raise Http404(_("Diese Seite gibt es nicht."))
    actor, ov, refused = _writable(request, pk)
    if refused:
        return refused
    row = kind.model._default_manager.filter(pk=row_id, person_id=pk).first()
    if row is None:
        raise not_found(NotFound(_("Die Angabe wurde nicht gefunden.")))
    form = StellaForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        response, status = _submit(
            request, form, lambda _data: services.end_row(actor=actor, person_id=pk, kind=kind.key, row_id=row_id),
            lambda _row: _("Die Angabe wurde beendet; sie bleibt im Verlauf sichtbar."),
            _profile_url(pk, ADD[slug].anchor))
        if response:
            return response
    return render(request, "web/competences/end_confirm.html",
                  _frame(request, ov, TAB, form=form, row=row, label=row_label(row), kind_label=kind.label,
                         slug=slug), status=status)


@login_required
def confirm_occupation(request: HttpRequest, pk: int, row_id: int) -> HttpResponse:
    """GET shows the title, the suggestions and the occupation search; POST confirms a code."""
    actor, ov, refused = _writable(request, pk)
    if refused:
        return refused
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        response, status = _submit(
            request, form, lambda data: services.confirm_occupation(actor=actor, person_id=pk, row_id=row_id,
                                                                    code=data["code"]),
            lambda row: _("Der Beruf %(code)s %(title)s wurde bestätigt.") % {"code": row.occupation.code,
                                                                                "title": row.occupation.title},
            _profile_url(pk, "erfahrung"))
        if response:
            return response
    try:
        row, candidates = read.suggestions(actor=actor, person_id=pk, row_id=row_id, limit=8)
    except NotFound as exc:
        raise not_found(exc) from exc
    return render(request, "web/competences/confirm.html",
                  _frame(request, ov, TAB, form=form, row=row, candidates=candidates), status=status)


@login_required
def update_recognition(request: HttpRequest, pk: int, row_id: int) -> HttpResponse:
    """A new state of the recognition of a qualification (the previous state stays in the history)."""
    actor, ov, refused = _writable(request, pk)
    if refused:
        return refused
    row = Qualification.objects.filter(pk=row_id, person_id=pk, ended_at__isnull=True).first()
    if row is None:
        raise not_found(NotFound(_("Die Qualifikation wurde nicht gefunden.")))
    status = 200
    if request.method == "POST":
        form = RecognitionForm(request.POST)
        response, status = _submit(
            request, form, lambda data: services.update_recognition(actor=actor, person_id=pk, row_id=row_id, **data),
            lambda _row: _("Der neue Stand der Anerkennung wurde gespeichert."), _profile_url(pk, "qualifikationen"))
        if response:
            return response
    else:
        form = RecognitionForm(initial={"recognition": row.recognition, "recognition_body": row.recognition_body,
                                        "recognition_date": row.recognition_date})
    title = _("Anerkennung fortschreiben: %(title)s") % {"title": row.title}
    return render(request, "web/competences/row_form.html",
                  _frame(request, ov, TAB, form=form, title=title, row=row,
                         lead=_("Der bisherige Stand bleibt im Verlauf sichtbar.")), status=status)


def row_label(row: ProfileRow) -> str:
    """A short description of a row for the confirmation page."""
    if isinstance(row, WorkExperience):
        return row.title_as_given
    for attr in ("title", "value", "language"):
        if hasattr(row, attr):
            return str(getattr(row, attr))
    return str(row._meta.verbose_name)
