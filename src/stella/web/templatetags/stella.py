"""Template helpers: names with their writing direction, dates with precision, translated labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from stella.people.models import DatePrecision
from stella.people.names import RTL_SCRIPTS
from stella.web import choices
from stella.web.labels import tr as translate_label
from stella.web.labels import translate_message

register = template.Library()


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


@register.simple_tag
def person_name(name: Any, css: str = "") -> SafeString:
    """One name spelling, isolated with <bdi> and, for Arabic and other right-to-left scripts,
    dir="rtl" and lang="und-Arab" (script known, language not)."""
    if not name:
        return format_html('<span class="muted">{}</span>', _("ohne Namen"))
    family, given = _get(name, "family_name", ""), _get(name, "given_names", "")
    script = _get(name, "script", "latn") or "latn"
    rtl = _get(name, "rtl", None)
    if rtl is None:
        rtl = script in RTL_SCRIPTS
    comma = "\u060c " if script == "arab" else ", "  # Arabic comma in Arabic script
    text = f"{family}{comma}{given}" if given else family
    if rtl:
        return format_html('<bdi dir="rtl" lang="und-{}" class="name name-rtl {}">{}</bdi>',
                           script.capitalize(), css, text)
    return format_html('<bdi class="name {}">{}</bdi>', css, text)


@register.filter
def tr(value: Any) -> str:
    return translate_label(value)


@register.filter
def message(value: Any) -> str:
    return translate_message(value)


@register.filter
def country(code: str) -> str:
    return choices.country_name(code) if code else ""


@register.filter
def language(code: str) -> str:
    return choices.language_name(code) if code else ""


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return parse_date(value[:10])
    return None


#: Dates are shown as they are typed into the forms (TT.MM.JJJJ) in both languages: the users work
#: for German authorities, and a US month/day order in the English UI would invite mistakes.
DAY_FORMAT = "d.m.Y"
MOMENT_FORMAT = "d.m.Y H:i"


@register.filter
def day(value: Any) -> str:
    """A legal date (date, or ISO string from a section dict) as 17.05.1990."""
    d = _as_date(value)
    return date_format(d, DAY_FORMAT) if d else ""


@register.filter
def moment(value: Any) -> str:
    """A point in time in Europe/Berlin, e.g. 17.05.2026 14:03."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return ""
    return date_format(localtime(value), MOMENT_FORMAT)


@register.filter
def birth_date(identity: Any) -> str:
    """Birth date as far as it is known: '17.05.1990', '05/1990', '1990 (nur Jahr)' or 'unbekannt'."""
    d = _as_date(_get(identity, "birth_date"))
    precision = _get(identity, "birth_date_precision", DatePrecision.UNKNOWN)
    if d is None or precision == DatePrecision.UNKNOWN:
        return _("unbekannt")
    if precision == DatePrecision.YEAR:
        return _("%(year)s (nur Jahr)") % {"year": d.year}
    if precision == DatePrecision.MONTH:
        return f"{d.month:02d}/{d.year}"
    return date_format(d, DAY_FORMAT)


SCRIPT_NAMES = {"latn": _lazy("lateinisch"), "arab": _lazy("arabisch"), "cyrl": _lazy("kyrillisch"),
                "ethi": _lazy("äthiopisch"), "hebr": _lazy("hebräisch"), "syrc": _lazy("syrisch")}


@register.filter
def script_name(code: str) -> str:
    """ISO 15924 code → readable name of the writing system (latn → lateinisch)."""
    return str(SCRIPT_NAMES.get(code, code))


@register.filter
def filesize(size: int) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@register.filter
def is_fieldset(field: BoundField) -> bool:
    return bool(getattr(field, "use_fieldset", False))


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return field.widget_type == "checkbox"


@register.inclusion_tag("web/includes/field.html")
def field(bound: BoundField, css: str = "") -> dict[str, Any]:
    return {"field": bound, "css": css}


@register.inclusion_tag("web/includes/error_summary.html")
def error_summary(form: Any) -> dict[str, Any]:
    return {"items": form.error_summary() if form is not None and form.errors else []}
