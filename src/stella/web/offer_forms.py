"""Web forms for offers, enrolments and placements. They check the shape of the input (dates, numbers,
choices); `offers.services` decides the rest, and its errors are mapped back onto the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stella.agencies.models import Agency, AgencyKind, Municipality
from stella.offers import query
from stella.offers import services as offers
from stella.offers.models import MeasureType, Offer, OfferKind, OfferState, Outcome, PlacementKind
from stella.web.forms import GermanDateField, StellaForm
from stella.web.labels import tr


def _choices(choices: Any, blank: str | None = None) -> list[tuple[str, str]]:
    out = [(value, tr(label)) for value, label in choices.choices if value != ""]
    return ([("", blank)] if blank is not None else []) + out


def _levels(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((x, x) for x in query.LEVELS)]


def municipality_choices(blank: str) -> list[tuple[str, str]]:
    rows = Municipality.objects.select_related("landkreis").order_by("landkreis__name", "name")
    return [("", blank), *((str(m.pk), f"{m.name} ({m.landkreis.name})") for m in rows)]


def district_choices(blank: str) -> list[tuple[str, str]]:
    seen: dict[int, str] = {}
    for m in Municipality.objects.select_related("landkreis").order_by("landkreis__name"):
        seen.setdefault(m.landkreis_id, m.landkreis.name)
    return [("", blank), *((str(pk), name) for pk, name in seen.items())]


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class OfferForm(StellaForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Art"), choices=())
    title = forms.CharField(label=_("Titel"), max_length=200)
    provider = forms.CharField(label=_("Träger bzw. Arbeitgeber"), max_length=200)
    provider_agency = forms.ChoiceField(label=_("Kursträger in Stella"), required=False, choices=(),
                                        help_text=_("Ein Kursträger in Stella sieht die Teilnahmen an diesem Angebot "
                                                    "und erfasst Anwesenheit und Ergebnis (§8 IntV)."))
    municipality = forms.ChoiceField(label=_("Ort"), choices=())
    starts_on = GermanDateField(label=_("Beginn"), help_text=_("TT.MM.JJJJ"))
    ends_on = GermanDateField(label=_("Ende"), required=False, help_text=_("TT.MM.JJJJ; leer bei Stellen ohne Ende"))
    seats = forms.IntegerField(label=_("Plätze"), min_value=1, max_value=offers.MAX_SEATS)
    target_level = forms.ChoiceField(label=_("Zielniveau"), required=False, choices=(),
                                     help_text=_("Pflicht bei Integrationskursen und Berufssprachkursen"))
    module = forms.CharField(label=_("Modul"), max_length=120, required=False,
                             help_text=_("z. B. Basissprachkurs, Aufbaukurs"))
    measure_type = forms.ChoiceField(label=_("Programm"), required=False, choices=(),
                                     help_text=_("Pflicht bei Maßnahmen"))
    occupation_code = forms.CharField(label=_("Beruf (KldB 2010)"), max_length=5, required=False,
                                      help_text=_("5-stelliger Schlüssel, z. B. 29302 für Köche/Köchinnen; Pflicht bei "
                                                  "Ausbildungsplätzen und Stellen"),
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}))
    min_german_level = forms.ChoiceField(label=_("Mindestniveau Deutsch"), required=False, choices=())
    childcare = forms.BooleanField(label=_("Kinderbetreuung"), required=False)
    women_only = forms.BooleanField(label=_("nur für Frauen"), required=False)
    part_time = forms.BooleanField(label=_("Teilzeit möglich"), required=False)
    requires_driving_licence = forms.BooleanField(label=_("Führerschein nötig"), required=False)
    error_map = {"municipality_id": "municipality", "provider_agency_id": "provider_agency"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "kind").choices = _choices(OfferKind, str(_("– bitte wählen –")))
        _select(self, "measure_type").choices = _choices(MeasureType, "–")
        _select(self, "target_level").choices = _levels("–")
        _select(self, "min_german_level").choices = _levels(str(_("keines")))
        _select(self, "municipality").choices = municipality_choices(str(_("– bitte wählen –")))
        providers = Agency.objects.filter(kind=AgencyKind.KURSTRAEGER, active=True).order_by("name")
        _select(self, "provider_agency").choices = [("", str(_("– keiner –"))),
                                                    *((str(a.pk), a.name) for a in providers)]

    @classmethod
    def for_offer(cls, offer: Offer) -> OfferForm:
        return cls(initial={
            "version": offer.version, "kind": offer.kind, "title": offer.title, "provider": offer.provider,
            "provider_agency": offer.provider_agency_id or "", "municipality": offer.municipality_id,
            "starts_on": offer.starts_on, "ends_on": offer.ends_on, "seats": offer.seats,
            "target_level": offer.target_level, "module": offer.module, "measure_type": offer.measure_type,
            "occupation_code": offer.occupation.code if offer.occupation else "",
            "min_german_level": offer.min_german_level, "childcare": offer.childcare,
            "women_only": offer.women_only, "part_time": offer.part_time,
            "requires_driving_licence": offer.requires_driving_licence})

    def payload(self) -> offers.OfferIn:
        c = self.cleaned_data
        return offers.OfferIn(
            kind=c["kind"], title=c["title"], provider=c["provider"], municipality_id=_int(c.get("municipality")),
            starts_on=c.get("starts_on"), ends_on=c.get("ends_on"), seats=c.get("seats"),
            target_level=c.get("target_level") or "", module=c.get("module") or "",
            measure_type=c.get("measure_type") or "", occupation_code=c.get("occupation_code") or "",
            provider_agency_id=_int(c.get("provider_agency")), min_german_level=c.get("min_german_level") or "",
            childcare=bool(c.get("childcare")), women_only=bool(c.get("women_only")),
            part_time=bool(c.get("part_time")), requires_driving_licence=bool(c.get("requires_driving_licence")))


class OfferFilterForm(StellaForm):
    text = forms.CharField(label=_("Suchbegriff"), max_length=200, required=False,
                           help_text=_("Titel, Träger, Modul, Ort oder Beruf"))
    kind = forms.ChoiceField(label=_("Art"), required=False, choices=())
    district = forms.ChoiceField(label=_("Landkreis"), required=False, choices=())
    municipality = forms.ChoiceField(label=_("Ort"), required=False, choices=())
    starts_after = GermanDateField(label=_("Beginn ab"), required=False, help_text=_("TT.MM.JJJJ"))
    level = forms.ChoiceField(label=_("Deutschniveau der Person"), required=False, choices=(),
                              help_text=_("Nur Angebote, deren Mindestniveau es erreicht"))
    state = forms.ChoiceField(label=_("Stand"), required=False, choices=())
    childcare = forms.BooleanField(label=_("mit Kinderbetreuung"), required=False)
    women_only = forms.BooleanField(label=_("nur für Frauen"), required=False)
    part_time = forms.BooleanField(label=_("Teilzeit möglich"), required=False)
    free_seats = forms.BooleanField(label=_("nur mit freien Plätzen"), required=False)
    mine = forms.BooleanField(label=_("nur Angebote meiner Behörde"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = str(_("alle"))
        _select(self, "kind").choices = _choices(OfferKind, everything)
        _select(self, "district").choices = district_choices(everything)
        _select(self, "municipality").choices = municipality_choices(everything)
        _select(self, "level").choices = _levels(str(_("egal")))
        _select(self, "state").choices = [("", str(_("offen"))), *((s, tr(label)) for s, label in OfferState.choices
                                                                   if s != OfferState.OPEN), ("all", everything)]

    def filters(self, agency_id: int | None) -> query.OfferFilter:
        c = self.cleaned_data
        state = c.get("state") or OfferState.OPEN
        return query.OfferFilter(
            kind=c.get("kind") or "", municipality_id=_int(c.get("municipality")),
            district_id=_int(c.get("district")), starts_after=c.get("starts_after"), level=c.get("level") or "",
            childcare=bool(c.get("childcare")), women_only=bool(c.get("women_only")),
            part_time=bool(c.get("part_time")), free_seats=bool(c.get("free_seats")), text=c.get("text") or "",
            state="" if state == "all" else state, agency_id=agency_id if c.get("mine") else None)


class EnrolRequestForm(StellaForm):
    # Any offer id is accepted (the offer search posts ids beyond the select's first entries); the service
    # answers an unknown one.
    offer = forms.IntegerField(label=_("Angebot"), widget=forms.Select)
    direct = forms.BooleanField(label=_("gleich aufnehmen (wenn ein Platz frei ist)"), required=False,
                                help_text=_("Sonst kommt die Person auf die Warteliste."))
    error_map = {"offer_id": "offer", "person_id": "offer"}

    def __init__(self, *args: Any, offers_qs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = offers_qs if offers_qs is not None else []
        free = str(_("frei"))
        widget = self.fields["offer"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", str(_("– bitte wählen –"))), *(
            (str(o.pk), f"{o.title} · {o.municipality.name} · {o.starts_on:%d.%m.%Y} · "
                        f"{free}: {max(o.free_seats, 0)}/{o.seats}") for o in rows)]


class AttendanceForm(StellaForm):
    day = GermanDateField(label=_("Tag"), help_text=_("TT.MM.JJJJ"))
    status = forms.ChoiceField(label=_("Anwesenheit"), widget=forms.RadioSelect, choices=(
        ("present", _("anwesend")), ("excused", _("entschuldigt gefehlt")), ("absent", _("unentschuldigt gefehlt"))))
    error_map = {"excused": "status"}

    def payload(self) -> dict[str, Any]:
        status = self.cleaned_data["status"]
        return {"day": self.cleaned_data.get("day"), "present": status == "present", "excused": status == "excused"}


class CompleteForm(StellaForm):
    ended_on = GermanDateField(label=_("Beendet am"), help_text=_("TT.MM.JJJJ"))
    result_level = forms.ChoiceField(label=_("Erreichtes Niveau"), required=False, choices=(),
                                     help_text=_("Nur bei Sprachkursen; wird als Sprachstand „Kursergebnis“ in das "
                                                 "Kompetenzprofil übernommen."))
    result_note = forms.CharField(label=_("Ergebnis"), max_length=300, required=False,
                                  help_text=_("z. B. DTZ B1 bestanden"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "result_level").choices = _levels(str(_("kein Niveau")))


class ReasonForm(StellaForm):
    reason = forms.CharField(label=_("Grund"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class PlacementForm(StellaForm):
    kind = forms.ChoiceField(label=_("Art"), choices=())
    employer = forms.CharField(label=_("Arbeitgeber bzw. Ausbildungsbetrieb"), max_length=200)
    occupation_code = forms.CharField(label=_("Beruf (KldB 2010)"), max_length=5, required=False,
                                      help_text=_("5-stelliger Schlüssel; leer: der Beruf des Angebots"),
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}))
    starts_on = GermanDateField(label=_("Beginn"), help_text=_("TT.MM.JJJJ"))
    ends_on = GermanDateField(label=_("Ende"), required=False, help_text=_("TT.MM.JJJJ; leer bei unbefristeter Stelle"))
    offer = forms.ChoiceField(label=_("Aus Angebot"), required=False, choices=(),
                              help_text=_("Ausbildungsplatz oder Stelle in Stella; dann wird die Arbeitserlaubnis zum "
                                          "Beginn geprüft."))
    ends_benefit_receipt = forms.NullBooleanField(label=_("Beendet den Leistungsbezug"), required=False,
                                                  widget=forms.NullBooleanSelect)
    error_map = {"offer_id": "offer"}

    def __init__(self, *args: Any, offers_qs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "kind").choices = _choices(PlacementKind, str(_("– bitte wählen –")))
        rows = offers_qs if offers_qs is not None else []
        _select(self, "offer").choices = [("", str(_("– ohne Angebot –"))), *(
            (str(o.pk), f"{o.title} · {o.provider} · {o.starts_on:%d.%m.%Y}") for o in rows)]

    def payload(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {"kind": c["kind"], "employer": c["employer"], "occupation_code": c.get("occupation_code") or "",
                "starts_on": c.get("starts_on"), "ends_on": c.get("ends_on"), "offer_id": _int(c.get("offer")),
                "ends_benefit_receipt": c.get("ends_benefit_receipt")}


class OutcomeForm(StellaForm):
    months = forms.TypedChoiceField(label=_("Zeitpunkt"), coerce=int, choices=(
        (6, _("nach 6 Monaten")), (12, _("nach 12 Monaten"))))
    outcome = forms.ChoiceField(label=_("Stand"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "outcome").choices = _choices(Outcome, str(_("– bitte wählen –")))


class EndPlacementForm(StellaForm):
    ends_on = GermanDateField(label=_("Ende"), help_text=_("TT.MM.JJJJ"))
    reason = forms.CharField(label=_("Grund"), max_length=300, required=False)
