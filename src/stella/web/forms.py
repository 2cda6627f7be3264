"""Web forms. They check the shape of the input (dates, lengths, choices); the services decide the
rest and their InvalidInput errors are mapped back onto the fields with `apply_service_errors`.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stella.agencies.models import Agency, Role
from stella.audit.models import AuditAction, Outcome
from stella.authz.policy import Category
from stella.cases.models import EntryKind, ParticipationRole
from stella.core.errors import InvalidInput
from stella.journey.assessment import GROUND_LABELS, HOUSEHOLD_LABELS, STATUS_LABELS, Overrides
from stella.people.models import (
    AccommodationType,
    ContactKind,
    DatePrecision,
    DocumentKind,
    IdentifierKind,
    NameKind,
    Sex,
)
from stella.people.services import (
    AddressIn,
    ContactIn,
    DocumentIn,
    IdentifierIn,
    LanguageIn,
    NameIn,
    PersonIn,
)
from stella.people.validators import CEFR_LEVELS, IDENTIFIER_FORMATS
from stella.web.choices import country_choices, language_choices
from stella.web.labels import tr, translate_message

# ---------------------------------------------------------------------------------------------------------------
# Fields


_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_MY = re.compile(r"(\d{1,2})[./](\d{4})")
_Y = re.compile(r"(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _make_date(value: str, year: int, month: int, day: int) -> date:
    """A date from parts, or a ValidationError saying exactly what is impossible about it."""
    if not 1 <= month <= 12:
        raise ValidationError(_("„%(value)s“ ist kein gültiges Datum: einen %(month)s. Monat gibt es nicht."),
                              code="invalid_date", params={"value": value, "month": month})
    if year < 1:
        raise ValidationError(_("„%(value)s“ ist kein gültiges Datum."), code="invalid_date", params={"value": value})
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValidationError(
            _("„%(value)s“ ist kein gültiges Datum: der %(month)s. Monat des Jahres %(year)s hat %(days)s Tage."),
            code="invalid_date", params={"value": value, "month": month, "year": year, "days": days},
        )
    return date(year, month, day)


def parse_date(value: str) -> date:
    value = value.strip()
    if m := _DMY.fullmatch(value):
        return _make_date(value, int(m[3]), int(m[2]), int(m[1]))
    if m := _ISO.fullmatch(value):
        return _make_date(value, int(m[1]), int(m[2]), int(m[3]))
    raise ValidationError(_("„%(value)s“ ist kein Datum. Bitte im Format TT.MM.JJJJ eingeben, z. B. 17.05.1990."),
                          code="invalid", params={"value": value})


class DateInput(forms.TextInput):
    """A plain text field for dates (TT.MM.JJJJ): typed like on paper, works in every browser."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", "autocomplete": "off", "class": "input-date", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return value.strftime("%d.%m.%Y")
        return super().format_value(value)


class GermanDateField(forms.Field):
    """A date typed as TT.MM.JJJJ (or ISO); impossible dates get a message that says why."""

    widget = DateInput

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        return parse_date(str(value))


class PartialDateField(forms.Field):
    """A birth date that may be known only to the month or year: TT.MM.JJJJ, MM.JJJJ or JJJJ.

    Returns (date, precision implied by the input); the month or year alone become the 1st.
    """

    widget = DateInput

    def to_python(self, value: Any) -> tuple[date, str] | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if _DMY.fullmatch(text) or _ISO.fullmatch(text):
            return parse_date(text), DatePrecision.EXACT
        if m := _MY.fullmatch(text):
            return _make_date(text, int(m[2]), int(m[1]), 1), DatePrecision.MONTH
        if _Y.fullmatch(text):
            return _make_date(text, int(text), 1, 1), DatePrecision.YEAR
        raise ValidationError(
            _("„%(value)s“ ist kein Geburtsdatum. Bitte TT.MM.JJJJ, MM.JJJJ oder nur das Jahr JJJJ eingeben."),
            code="invalid", params={"value": text},
        )


class DateTimeField(forms.Field):
    """Date with optional time: TT.MM.JJJJ HH:MM or TT.MM.JJJJ (then 12:00)."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        text = str(value).strip().replace("T", " ")
        day_part, _sep, time_part = text.partition(" ")
        day = parse_date(day_part)
        at = time(12, 0)
        if time_part:
            m = re.fullmatch(r"(\d{1,2}):(\d{2})", time_part.strip())
            if not m or int(m[1]) > 23 or int(m[2]) > 59:
                raise ValidationError(_("„%(value)s“ ist keine gültige Uhrzeit (HH:MM, z. B. 09:30)."),
                                      code="invalid_time", params={"value": time_part})
            at = time(int(m[1]), int(m[2]))
        return timezone.make_aware(datetime.combine(day, at))


def birth_date_text(value: date | None, precision: str) -> str:
    """How a stored birth date is shown in an edit field (the inverse of PartialDateField)."""
    if value is None or precision == DatePrecision.UNKNOWN:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return f"{value.month:02d}.{value.year}"
    return value.strftime("%d.%m.%Y")


def _choices(choices: Any, blank: str | None = None) -> list[tuple[str, str]]:
    out = [(value, tr(label)) for value, label in choices.choices]
    return ([("", blank)] if blank is not None else []) + out


def _category_choices(categories: Any = None) -> list[tuple[str, str]]:
    return [(c.value, tr(c.label)) for c in (categories if categories is not None else Category)]


# ---------------------------------------------------------------------------------------------------------------
# Base


class StellaForm(forms.Form):
    """Base form: maps service errors onto fields and lists every error for the summary at the top."""

    #: service error key → form field name (keys not listed and not a field become form-wide errors)
    error_map: ClassVar[dict[str, str]] = {}
    #: Set on forms where every field is required and marking each would only add noise.
    hide_required_marker = False

    def apply_service_errors(self, exc: InvalidInput) -> None:
        for key, messages in exc.field_errors.items():
            name: str | None = self.error_map.get(key, key)
            if name not in self.fields:
                name = None
            for message in messages:
                self.add_error(name, translate_message(message))

    def error_summary(self) -> list[dict[str, str]]:
        """One entry per error, each linked to its field (WCAG 3.3.1)."""
        items = [{"href": "", "text": str(e)} for e in self.non_field_errors()]
        for bound in self:
            for error in bound.errors:
                anchor = bound.auto_id
                if getattr(bound.field.widget, "allow_multiple_selected", False) or isinstance(
                    bound.field.widget, forms.RadioSelect
                ):
                    anchor = f"{bound.auto_id}_0"
                items.append({"href": f"#{anchor}", "text": f"{bound.label}: {error}"})
        return items


class LoginForm(AuthenticationForm):
    """Django's login form; only the page around it is Stella's."""

    hide_required_marker = True  # both fields are obviously needed

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Benutzername oder Passwort ist falsch. Nach mehreren Fehlversuchen wird die Anmeldung "
                           "vorübergehend gesperrt."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No autofocus: keyboard and screen-reader users start at the skip link and the heading.
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def error_summary(self) -> list[dict[str, str]]:
        return StellaForm.error_summary(self)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------------
# People


def _identifier_help() -> str:
    return "; ".join(f"{tr(fmt.label)}: {tr(fmt.help)}" for fmt in IDENTIFIER_FORMATS.values())


IDENTIFIER_HELP = lazy(_identifier_help, str)()
PRECISION_HELP = _(
    "Ist nur das Jahr bekannt, geben Sie nur das Jahr ein (z. B. 1990) – oder den 1. Januar mit der Genauigkeit "
    "„nur Jahr“. Ein eingetragener 1. Januar ohne Angabe der Genauigkeit gilt als Platzhalter („nur Jahr“), "
    "nicht als echter Geburtstag."
)


class SearchForm(StellaForm):
    name = forms.CharField(label=_("Name"), required=False, max_length=200,
                           help_text=_("In beliebiger Schreibweise, auch in arabischer Schrift, z. B. "
                                       "„Muhammad Alhasan“."),
                           widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off", "type": "search"}))
    birth_date = GermanDateField(label=_("Geburtsdatum"), required=False, help_text=_("TT.MM.JJJJ"))
    identifier = forms.CharField(label=_("Kennung"), required=False, max_length=40,
                                 help_text=_("AZR-Nummer, BAMF-Aktenzeichen, BA-Kundennummer oder BG-Nummer"),
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    error_map = {"name": "name", "birth_date": "birth_date", "identifier": "identifier"}


class BirthFieldsMixin(forms.Form):
    """Birth date with precision, shared by registration and the edit form."""

    def clean_birth(self, cleaned: dict[str, Any]) -> None:
        parsed = cleaned.get("birth_date")
        precision = cleaned.get("birth_date_precision") or ""
        if "birth_date" in self.errors:
            return
        if parsed is None:
            cleaned["birth_date"] = None
            if precision not in ("", DatePrecision.UNKNOWN):
                self.add_error("birth_date", _("Bei dieser Genauigkeit ist ein Geburtsdatum nötig."))
            cleaned["birth_date_precision"] = DatePrecision.UNKNOWN if precision else None
            return
        value, implied = parsed
        if precision == DatePrecision.UNKNOWN:
            self.add_error("birth_date_precision",
                           _("„unbekannt“ passt nicht zu einem eingetragenen Geburtsdatum."))
        order = [DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.EXACT]
        if precision in order and order.index(precision) > order.index(implied):
            self.add_error("birth_date", _("Für die Genauigkeit „%(precision)s“ fehlt ein Teil des Datums.")
                           % {"precision": tr(DatePrecision(precision).label)})
        cleaned["birth_date"] = value
        if precision:
            cleaned["birth_date_precision"] = precision
        else:
            # Typed as year or month only: that is the precision. A full date is left to the service,
            # which treats 1 January as a placeholder.
            cleaned["birth_date_precision"] = implied if implied != DatePrecision.EXACT else None


def _birth_date_field() -> PartialDateField:
    return PartialDateField(label=_("Geburtsdatum"), required=False,
                            help_text=_("TT.MM.JJJJ, MM.JJJJ oder nur JJJJ, z. B. 17.05.1990 oder 1990."))


def _precision_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Genauigkeit des Geburtsdatums"), required=False,
                             choices=_choices(DatePrecision, blank=_("aus der Eingabe ableiten")),
                             help_text=PRECISION_HELP)


class RegisterForm(BirthFieldsMixin, StellaForm):
    family_name = forms.CharField(label=_("Familienname"), max_length=200,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}))
    given_names = forms.CharField(label=_("Vornamen"), max_length=200, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}))
    original_family_name = forms.CharField(
        label=_("Familienname in Originalschrift"), max_length=200, required=False,
        help_text=_("Zum Beispiel in arabischer Schrift, wie im Dokument."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}))
    original_given_names = forms.CharField(
        label=_("Vornamen in Originalschrift"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}))
    sex = forms.ChoiceField(label=_("Geschlecht"), choices=(), initial=Sex.UNKNOWN)
    birth_date = _birth_date_field()
    birth_date_precision = _precision_field()
    birth_place = forms.CharField(label=_("Geburtsort"), max_length=120, required=False)
    birth_country = forms.ChoiceField(label=_("Geburtsland"), required=False, choices=())
    nationality = forms.ChoiceField(label=_("Staatsangehörigkeit"), required=False, choices=())
    language = forms.ChoiceField(label=_("Sprache"), required=False, choices=())
    language_level = forms.ChoiceField(label=_("Sprachniveau (GER)"), required=False, choices=(),
                                       help_text=_("A1 bis C2 nach dem Gemeinsamen Europäischen Referenzrahmen, "
                                                   "MT = Muttersprache"))
    identifier_kind = forms.ChoiceField(label=_("Art der Kennung"), required=False, choices=())
    identifier_value = forms.CharField(label=_("Kennung"), required=False, max_length=40,
                                       help_text=IDENTIFIER_HELP,
                                       widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    municipality = forms.CharField(label=_("Gemeinde"), required=False, max_length=120)
    street = forms.CharField(label=_("Straße und Hausnummer"), required=False, max_length=200)
    postcode = forms.CharField(label=_("PLZ"), required=False, max_length=5,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}))
    accommodation = forms.ChoiceField(label=_("Unterbringung"), required=False, choices=())
    address_from = GermanDateField(label=_("Wohnhaft seit"), required=False,
                                   help_text=_("TT.MM.JJJJ; leer = heute"))
    dup_token = forms.CharField(required=False, widget=forms.HiddenInput)

    error_map = {
        "names": "family_name", "names.0.family_name": "family_name", "names.0.given_names": "given_names",
        "names.1.family_name": "original_family_name", "names.1.given_names": "original_given_names",
        "nationalities.0": "nationality", "languages.0.language": "language", "languages.0.level": "language_level",
        "identifiers": "identifier_value", "identifiers.0.value": "identifier_value",
        "address.municipality": "municipality", "address.postcode": "postcode",
        "address.accommodation": "accommodation",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = _choices(Sex)
        self.fields["birth_country"].choices = country_choices(blank=str(_("– nicht angegeben –")))
        self.fields["nationality"].choices = country_choices(blank=str(_("– nicht angegeben –")))
        self.fields["language"].choices = language_choices(blank=str(_("– nicht angegeben –")))
        self.fields["language_level"].choices = [("", _("– nicht angegeben –"))] + [
            (lvl, _("Muttersprache") if lvl == "MT" else lvl) for lvl in CEFR_LEVELS]
        self.fields["identifier_kind"].choices = _choices(IdentifierKind, blank=_("– keine –"))
        self.fields["accommodation"].choices = _choices(AccommodationType)
        self.fields["accommodation"].initial = AccommodationType.VORLAEUFIG

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_birth(cleaned)
        if cleaned.get("original_given_names") and not cleaned.get("original_family_name"):
            self.add_error("original_family_name", _("Bitte auch den Familiennamen in Originalschrift angeben."))
        if cleaned.get("language") and not cleaned.get("language_level"):
            self.add_error("language_level", _("Bitte das Sprachniveau angeben."))
        if cleaned.get("language_level") and not cleaned.get("language"):
            self.add_error("language", _("Bitte die Sprache angeben."))
        if cleaned.get("identifier_value") and not cleaned.get("identifier_kind"):
            self.add_error("identifier_kind", _("Bitte die Art der Kennung wählen."))
        if cleaned.get("identifier_kind") and not cleaned.get("identifier_value"):
            self.add_error("identifier_value", _("Bitte die Kennung eingeben oder „keine“ wählen."))
        if (cleaned.get("street") or cleaned.get("postcode")) and not cleaned.get("municipality"):
            self.add_error("municipality", _("Bitte die Gemeinde angeben."))
        return cleaned

    def names(self) -> list[NameIn]:
        c = self.cleaned_data
        names = [NameIn(family_name=c["family_name"], given_names=c.get("given_names", ""))]
        if c.get("original_family_name"):
            names.append(NameIn(family_name=c["original_family_name"],
                                given_names=c.get("original_given_names", ""), kind=NameKind.ORIGINAL))
        return names

    def person_in(self) -> PersonIn:
        c = self.cleaned_data
        address = None
        if c.get("municipality"):
            address = AddressIn(municipality=c["municipality"], street=c.get("street", ""),
                                postcode=c.get("postcode", ""),
                                accommodation=c.get("accommodation") or AccommodationType.PRIVATE,
                                valid_from=c.get("address_from") or timezone.localdate())
        return PersonIn(
            names=self.names(), sex=c["sex"], birth_date=c.get("birth_date"),
            birth_date_precision=c.get("birth_date_precision"), birth_place=c.get("birth_place", ""),
            birth_country=c.get("birth_country", ""),
            nationalities=[c["nationality"]] if c.get("nationality") else [],
            languages=[LanguageIn(c["language"], c["language_level"])] if c.get("language") else [],
            identifiers=([IdentifierIn(c["identifier_kind"], c["identifier_value"])]
                         if c.get("identifier_value") else []),
            address=address,
        )


class PersonEditForm(BirthFieldsMixin, StellaForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    sex = forms.ChoiceField(label=_("Geschlecht"), choices=())
    birth_date = _birth_date_field()
    birth_date_precision = _precision_field()
    birth_place = forms.CharField(label=_("Geburtsort"), max_length=120, required=False)
    birth_country = forms.ChoiceField(label=_("Geburtsland"), required=False, choices=())

    EDITABLE = ("sex", "birth_date", "birth_date_precision", "birth_place", "birth_country")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = _choices(Sex)
        self.fields["birth_country"].choices = country_choices(blank=str(_("– nicht angegeben –")))

    @classmethod
    def initial_for(cls, person: Any) -> dict[str, Any]:
        return {"version": person.version, "sex": person.sex,
                "birth_date": birth_date_text(person.birth_date, person.birth_date_precision),
                "birth_date_precision": person.birth_date_precision, "birth_place": person.birth_place,
                "birth_country": person.birth_country}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_birth(cleaned)
        return cleaned

    def changes(self) -> dict[str, Any]:
        c = self.cleaned_data
        out = {k: c.get(k) for k in self.EDITABLE}
        out["birth_place"] = (out["birth_place"] or "").strip()
        out["birth_country"] = out["birth_country"] or ""
        if out["birth_date_precision"] is None:
            del out["birth_date_precision"]
        return out


class NameForm(StellaForm):
    family_name = forms.CharField(label=_("Familienname"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    given_names = forms.CharField(label=_("Vornamen"), max_length=200, required=False,
                                  widget=forms.TextInput(attrs={"dir": "auto"}))
    kind = forms.ChoiceField(label=_("Art der Schreibweise"), choices=())
    error_map = {"name.0.family_name": "family_name", "name.0.given_names": "given_names", "name.0.kind": "kind"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(NameKind)
        self.fields["kind"].initial = NameKind.ALIAS

    def payload(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {"name": NameIn(family_name=c["family_name"], given_names=c["given_names"], kind=c["kind"])}


class IdentifierForm(StellaForm):
    kind = forms.ChoiceField(label=_("Art der Kennung"), choices=())
    value = forms.CharField(label=_("Kennung"), max_length=40, help_text=IDENTIFIER_HELP,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    error_map = {"identifiers.0.value": "value"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(IdentifierKind)

    def payload(self) -> dict[str, Any]:
        return {"identifier": IdentifierIn(self.cleaned_data["kind"], self.cleaned_data["value"])}


class NationalityForm(StellaForm):
    country = forms.ChoiceField(label=_("Staatsangehörigkeit"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(blank=str(_("– bitte wählen –")))

    def payload(self) -> dict[str, Any]:
        return {"country": self.cleaned_data["country"]}


class LanguageForm(StellaForm):
    language = forms.ChoiceField(label=_("Sprache"), choices=())
    level = forms.ChoiceField(label=_("Sprachniveau (GER)"), choices=(),
                              help_text=_("A1 bis C2 nach dem Gemeinsamen Europäischen Referenzrahmen, "
                                          "MT = Muttersprache"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(blank=str(_("– bitte wählen –")))
        self.fields["level"].choices = [("", _("– bitte wählen –"))] + [
            (lvl, _("Muttersprache") if lvl == "MT" else lvl) for lvl in CEFR_LEVELS]

    def payload(self) -> dict[str, Any]:
        return {"language": LanguageIn(self.cleaned_data["language"], self.cleaned_data["level"])}


class DocumentForm(StellaForm):
    kind = forms.ChoiceField(label=_("Dokumentart"), choices=())
    number = forms.CharField(label=_("Dokumentnummer"), max_length=40,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    issued_on = GermanDateField(label=_("Ausgestellt am"), required=False, help_text=_("TT.MM.JJJJ"))
    valid_until = GermanDateField(label=_("Gültig bis"), required=False, help_text=_("TT.MM.JJJJ"))
    issuing_authority = forms.CharField(label=_("Ausstellende Behörde"), max_length=200, required=False)
    legal_basis = forms.CharField(label=_("Rechtsgrundlage"), max_length=60, required=False,
                                  help_text=_("z. B. §25 Abs. 2 AufenthG"))
    error_map = {"document.0.kind": "kind", "document.0.number": "number", "document.0.issued_on": "issued_on",
                 "document.0.valid_until": "valid_until"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(DocumentKind)

    def payload(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {"document": DocumentIn(kind=c["kind"], number=c["number"].strip(), issued_on=c["issued_on"],
                                       valid_until=c["valid_until"], issuing_authority=c["issuing_authority"],
                                       legal_basis=c["legal_basis"])}


class AddressForm(StellaForm):
    municipality = forms.CharField(label=_("Gemeinde"), max_length=120)
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200, required=False)
    postcode = forms.CharField(label=_("PLZ"), max_length=5, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}))
    accommodation = forms.ChoiceField(label=_("Unterbringung"), choices=())
    valid_from = GermanDateField(label=_("Wohnhaft seit"), help_text=_("TT.MM.JJJJ"))
    error_map = {"address.municipality": "municipality", "address.postcode": "postcode",
                 "address.accommodation": "accommodation", "address.valid_from": "valid_from"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accommodation"].choices = _choices(AccommodationType)

    def payload(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {"address": AddressIn(municipality=c["municipality"], street=c["street"], postcode=c["postcode"],
                                     accommodation=c["accommodation"], valid_from=c["valid_from"])}


class ContactForm(StellaForm):
    kind = forms.ChoiceField(label=_("Art"), choices=())
    value = forms.CharField(label=_("Telefonnummer, E-Mail-Adresse o. Ä."), max_length=200)
    error_map = {"contact.0.kind": "kind", "contact.0.value": "value"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(ContactKind)

    def payload(self) -> dict[str, Any]:
        return {"contact": ContactIn(self.cleaned_data["kind"], self.cleaned_data["value"])}


# ---------------------------------------------------------------------------------------------------------------
# The file


class EntryForm(StellaForm):
    kind = forms.ChoiceField(label=_("Art des Eintrags"), choices=(), widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Datenkategorie"), choices=(),
                                 help_text=_("Bestimmt, wer den Eintrag sehen darf. Zur Auswahl stehen nur die "
                                             "Bereiche, in die Sie schreiben dürfen."))
    title = forms.CharField(label=_("Betreff"), max_length=200)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    occurred_at = DateTimeField(label=_("Zeitpunkt des Kontakts"), required=False,
                                help_text=_("TT.MM.JJJJ HH:MM; leer = jetzt"))
    attachment = forms.FileField(label=_("Anhang"), required=False,
                                 help_text=_("PDF, PNG oder JPEG, höchstens %(mb)s MB."),
                                 widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,"
                                                                        "application/pdf,image/png,image/jpeg"}))
    error_map = {"attachments.0": "attachment"}

    def __init__(self, *args: Any, categories: list[Category], max_mb: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, tr(k.label)) for k in (EntryKind.NOTE, EntryKind.CONTACT,
                                                                          EntryKind.DOCUMENT)]
        self.fields["kind"].initial = EntryKind.NOTE
        self.fields["category"].choices = _category_choices(categories)
        self.fields["attachment"].help_text = self.fields["attachment"].help_text % {"mb": max_mb}
        self.fields["attachment"].widget.attrs["data-max-bytes"] = str(max_mb * 1024 * 1024)


class CorrectionForm(StellaForm):
    title = forms.CharField(label=_("Betreff"), max_length=200)
    text = forms.CharField(label=_("Berichtigter Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    reason = forms.CharField(label=_("Grund der Berichtigung"), max_length=200,
                             help_text=_("Der ursprüngliche Eintrag bleibt erhalten und wird als berichtigt "
                                         "gekennzeichnet."))


class ConsentForm(StellaForm):
    categories = forms.MultipleChoiceField(label=_("Freigegebene Datenkategorien"), choices=(),
                                           widget=forms.CheckboxSelectMultiple)
    agencies = forms.TypedMultipleChoiceField(label=_("Empfangende Behörden"), choices=(), coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label=_("Zweck"), max_length=300,
                              help_text=_("z. B. „Vermittlung in Ausbildung“ oder „Abstimmung der Unterbringung“"))
    valid_from = GermanDateField(label=_("Gültig ab"), help_text=_("TT.MM.JJJJ"))
    valid_until = GermanDateField(label=_("Gültig bis"), required=False, help_text=_("TT.MM.JJJJ; leer = unbefristet"))
    form = forms.FileField(label=_("Unterschriebenes Formular (Scan)"), required=False,
                           help_text=_("PDF, PNG oder JPEG."))
    error_map = {"agency_ids": "agencies"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = _category_choices()
        self.fields["agencies"].choices = [
            (a.pk, f"{a.name} ({a.code})")
            for a in Agency.objects.filter(active=True).select_related("landkreis").order_by("landkreis__name", "name")
        ]
        self.fields["valid_from"].initial = timezone.localdate()


class RevokeForm(StellaForm):
    note = forms.CharField(label=_("Anmerkung zum Widerruf"), max_length=300, required=False,
                           help_text=_("z. B. wie und wann die Person widerrufen hat"))


class ParticipationForm(StellaForm):
    role = forms.ChoiceField(label=_("Rolle Ihrer Behörde"), choices=(), widget=forms.RadioSelect)
    legal_basis = forms.CharField(label=_("Rechtsgrundlage"), max_length=200)
    since = GermanDateField(label=_("Beteiligt seit"), required=False, help_text=_("TT.MM.JJJJ; leer = heute"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _choices(ParticipationRole)
        self.fields["role"].initial = ParticipationRole.CONTRIBUTING


def _yes_no_field(label: Any, help_text: Any = "") -> forms.TypedChoiceField:
    """Yes, no, or (empty) "as in the file": three states, because "no" is an answer and not a default."""
    return forms.TypedChoiceField(label=label, required=False, help_text=help_text, empty_value=None,
                                  coerce=lambda value: value == "ja",
                                  choices=[("", _("– aus der Akte –")), ("ja", _("ja")), ("nein", _("nein"))])


def _optional_date(label: Any) -> GermanDateField:
    return GermanDateField(label=label, required=False, help_text=_("TT.MM.JJJJ; leer = aus der Akte"))


class AssessmentForm(StellaForm):
    """Stichtag and the caseworker's own inputs for the Rechtliche Einschätzung.

    Sent with GET: the assessment is a read, and a page with a date and inputs in its address can be
    bookmarked or sent to a colleague. Nothing entered here is stored.
    """

    stichtag = GermanDateField(label=_("Stichtag"), required=False, help_text=_("TT.MM.JJJJ; leer = heute"))
    status = forms.ChoiceField(label=_("Aufenthaltsstatus"), required=False, choices=())
    nationality = forms.ChoiceField(label=_("Staatsangehörigkeit"), required=False, choices=())
    entry_date = _optional_date(_("Einreisedatum"))
    asylum_request_date = _optional_date(_("Datum des Asylgesuchs"))
    duldung_since = _optional_date(_("Beginn der Duldung"))
    lives_in_reception_centre = _yes_no_field(_("Wohnpflicht in der Aufnahmeeinrichtung"))
    household = forms.ChoiceField(label=_("Haushaltssituation"), required=False, choices=())
    duldung_grounds = forms.MultipleChoiceField(
        label=_("Gründe für ein Arbeitsverbot mit Duldung"), required=False, choices=(),
        widget=forms.CheckboxSelectMultiple, help_text=_("Nur ankreuzen, was die Ausländerbehörde festgestellt hat."))
    identity_clarified = _yes_no_field(_("Identität geklärt"))
    labour_market_close = _yes_no_field(
        _("Arbeitsmarktnähe"), _("Arbeit- oder ausbildungsuchend gemeldet, beschäftigt oder in Ausbildung "
                                 "(Integrationskurs, Erweiterung 2019)."))
    analogue_since = _optional_date(_("Beginn der Analogleistungen"))
    decision_final_date = _optional_date(_("Datum der Bestandskraft der Anerkennung"))
    #: service error key → field (the service names the reference date as the rules do)
    error_map = {"reference_date": "stichtag"}

    OVERRIDES = ("status", "nationality", "entry_date", "asylum_request_date", "duldung_since",
                 "lives_in_reception_centre", "household", "duldung_grounds", "identity_clarified",
                 "labour_market_close", "analogue_since", "decision_final_date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = _("– aus der Akte –")
        self.fields["status"].choices = [("", keep)] + [(k, tr(v)) for k, v in STATUS_LABELS.items()]
        self.fields["nationality"].choices = country_choices(blank=str(keep))
        self.fields["household"].choices = [("", keep)] + [(k, tr(v)) for k, v in HOUSEHOLD_LABELS.items()]
        self.fields["duldung_grounds"].choices = [(k, tr(v)) for k, v in GROUND_LABELS.items()]

    def override_fields(self) -> list[Any]:
        return [self[name] for name in self.OVERRIDES]

    def has_overrides(self) -> bool:
        """Whether the "Angaben anpassen" part should open: something was entered there, or is wrong."""
        if not self.is_bound:
            return False
        return any(self.data.get(name) for name in self.OVERRIDES) or any(name in self.errors for name in self.OVERRIDES)

    def overrides(self) -> Overrides:
        return Overrides.from_mapping({name: self.cleaned_data.get(name) for name in self.OVERRIDES})


# ---------------------------------------------------------------------------------------------------------------
# Data protection officer and administration


class AuditFilterForm(StellaForm):
    username = forms.CharField(label=_("Benutzername"), required=False, max_length=150)
    person = forms.IntegerField(label=_("Personen-Nr."), required=False, min_value=1,
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}))
    date_from = GermanDateField(label=_("Von"), required=False, help_text=_("TT.MM.JJJJ"))
    date_to = GermanDateField(label=_("Bis"), required=False, help_text=_("TT.MM.JJJJ"))
    action = forms.ChoiceField(label=_("Aktion"), required=False, choices=())
    outcome = forms.ChoiceField(label=pgettext_lazy("audit", "Ergebnis"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _choices(AuditAction, blank=_("alle"))
        self.fields["outcome"].choices = _choices(Outcome, blank=_("alle"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("„Bis“ liegt vor „Von“."))
        return cleaned


def _role_choices() -> list[tuple[str, str]]:
    return _choices(Role)


class UserCreateForm(StellaForm):
    username = forms.CharField(label=_("Benutzername"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    first_name = forms.CharField(label=_("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-Mail"), required=False)
    agency = forms.ChoiceField(label=_("Behörde"), choices=())
    team = forms.CharField(label=_("Team"), max_length=80, required=False)
    roles = forms.MultipleChoiceField(label=_("Rollen"), choices=(), widget=forms.CheckboxSelectMultiple)
    password1 = forms.CharField(label=_("Passwort"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("Mindestens 10 Zeichen, nicht nur Ziffern, kein gängiges Passwort."))
    password2 = forms.CharField(label=_("Passwort wiederholen"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    error_map = {"password": "password1"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("– bitte wählen –"))] + [
            (a.code, f"{a.name} ({a.code})")
            for a in Agency.objects.filter(active=True).select_related("landkreis").order_by("landkreis__name", "name")
        ]
        self.fields["roles"].choices = _role_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        return cleaned


class RolesForm(StellaForm):
    roles = forms.MultipleChoiceField(label=_("Rollen"), choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices()
