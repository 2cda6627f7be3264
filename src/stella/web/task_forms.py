"""Web forms for tasks and appointments. They check the shape of the input; the services in
`journey.tasks` and `journey.appointments` decide the rest, and their errors are mapped onto the fields."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stella.accounts.models import User
from stella.authz.policy import CASE_ROLES
from stella.web.choices import language_choices
from stella.web.forms import GermanDateField, StellaForm


def agency_people(agency_id: int | None) -> list[tuple[str, str]]:
    """Active users of the agency who work on files, by name."""
    if agency_id is None:
        return []
    users = (User.objects.filter(agency_id=agency_id, is_active=True, role_assignments__role__in=CASE_ROLES)
             .distinct().order_by("last_name", "first_name", "username"))
    return [(str(u.pk), f"{u.get_full_name() or u.get_username()}" + (f" ({u.team})" if u.team else "")) for u in users]


def agency_teams(agency_id: int | None) -> list[str]:
    if agency_id is None:
        return []
    return sorted(set(User.objects.filter(agency_id=agency_id, is_active=True).exclude(team="")
                      .values_list("team", flat=True)))


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class AssignmentMixin(forms.Form):
    """Assignee and team select boxes filled with the actor's agency."""

    def setup_assignment(self, agency_id: int | None, *, blank_person: str) -> None:
        _select(self, "assignee").choices = [("", blank_person), *agency_people(agency_id)]
        _select(self, "team").choices = [("", str(_("– kein Team –"))), *((t, t) for t in agency_teams(agency_id))]

    def assignment(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {"assignee_id": int(c["assignee"]) if c.get("assignee") else None, "team": c.get("team") or ""}


class TaskForm(AssignmentMixin, StellaForm):
    title = forms.CharField(label=_("Aufgabe"), max_length=200, help_text=_("Was ist zu tun?"))
    reason = forms.CharField(label=_("Anlass"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    due_date = GermanDateField(label=_("Fällig am"), help_text=_("TT.MM.JJJJ"))
    assignee = forms.ChoiceField(label=_("Zuständig"), required=False, choices=())
    team = forms.ChoiceField(label=_("Team"), required=False, choices=(),
                             help_text=_("Ohne Person und Team übernehmen Sie die Aufgabe selbst. Mit Team ohne Person "
                                         "sieht das ganze Team die Aufgabe."))
    error_map = {"assignee": "assignee", "team": "team", "due_date": "due_date", "title": "title",
                 "reason": "reason"}

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_assignment(agency_id, blank_person=str(_("– ich selbst bzw. das Team –")))


class CloseForm(StellaForm):
    note = forms.CharField(label=_("Vermerk"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    error_map = {"note": "note"}


class CancelTaskForm(StellaForm):
    note = forms.CharField(label=_("Warum entfällt die Aufgabe?"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))
    error_map = {"note": "note"}


class ReassignForm(AssignmentMixin, StellaForm):
    assignee = forms.ChoiceField(label=_("Neu zuständig"), required=False, choices=())
    team = forms.ChoiceField(label=_("Team"), required=False, choices=())
    due_date = GermanDateField(label=_("Neues Fälligkeitsdatum"), required=False,
                               help_text=_("TT.MM.JJJJ; leer = unverändert"))
    error_map = {"assignee": "assignee", "team": "team", "due_date": "due_date"}

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_assignment(agency_id, blank_person=str(_("– niemand (nur Team) –")))


_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


class TimeField(forms.Field):
    """A time of day typed as HH:MM (or HH.MM)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "class": "input-short"})

    def to_python(self, value: Any) -> time | None:
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        m = _TIME.fullmatch(str(value).strip())
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise ValidationError(_("„%(value)s“ ist keine gültige Uhrzeit (HH:MM, z. B. 09:30)."), code="invalid_time",
                                  params={"value": value})
        return time(int(m[1]), int(m[2]))

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%H:%M") if isinstance(value, time) else value


class AppointmentForm(StellaForm):
    day = GermanDateField(label=_("Datum"), help_text=_("TT.MM.JJJJ"))
    start = TimeField(label=_("Beginn"), help_text=_("HH:MM"))
    end = TimeField(label=_("Ende"), help_text=_("HH:MM"))
    place = forms.CharField(label=_("Ort"), max_length=200, help_text=_("Anschrift und Raum"))
    purpose = forms.CharField(label=_("Anlass"), max_length=200)
    language = forms.ChoiceField(label=_("Sprache des Gesprächs"), required=False, choices=(),
                                 help_text=_("Für Arabisch, Farsi/Dari, Englisch und Tigrinya enthält das "
                                             "Einladungsschreiben eine kurze Übersetzung."))
    interpreter_needed = forms.BooleanField(label=_("Dolmetscher nötig"), required=False)
    counsellor = forms.ChoiceField(label=_("Ansprechperson"), required=False, choices=())
    error_map = {"starts_at": "start", "ends_at": "end", "place": "place", "purpose": "purpose",
                 "language": "language", "counsellor": "counsellor"}

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "language").choices = language_choices(blank=str(_("Deutsch (keine Übersetzung)")))
        _select(self, "counsellor").choices = [("", str(_("– ich selbst –"))), *agency_people(agency_id)]

    def times(self) -> tuple[datetime | None, datetime | None]:
        c = self.cleaned_data
        day: date | None = c.get("day")
        start, end = c.get("start"), c.get("end")
        if day is None or start is None or end is None:
            return None, None
        return (timezone.make_aware(datetime.combine(day, start)), timezone.make_aware(datetime.combine(day, end)))

    def payload(self) -> dict[str, Any]:
        c = self.cleaned_data
        starts_at, ends_at = self.times()
        return {"starts_at": starts_at, "ends_at": ends_at, "place": c["place"], "purpose": c["purpose"],
                "language": c.get("language") or "", "interpreter_needed": bool(c.get("interpreter_needed")),
                "counsellor_id": int(c["counsellor"]) if c.get("counsellor") else None}


class CancelAppointmentForm(StellaForm):
    reason = forms.CharField(label=_("Grund der Absage"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    error_map = {"reason": "reason"}
