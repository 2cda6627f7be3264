"""Merging two records of one person: the side-by-side page with the conflicts as choices (reached from the
review queue as `web:merge_form?a=&b=&candidate=`), and a person's merge history with "Zusammenführung
aufheben". The services in `stella.linkage.merge` decide, write and audit; refusals become German errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from stella.authz.policy import Category
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.linkage import merge as svc
from stella.linkage.models import Merge
from stella.people.validators import country_name
from stella.web.forms import StellaForm
from stella.web.labels import tr, translate_message
from stella.web.views.common import actor_of, case_role_required, not_found, refuse
from stella.web.views.files import _frame, _open

REASON_MAX = 2000


class MergeForm(StellaForm):
    """Which record stays, one choice per conflicting field, the reason and a confirmation."""

    survivor = forms.ChoiceField(label=gettext_lazy("Welche Erfassung bleibt?"), widget=forms.RadioSelect,
                                 help_text=gettext_lazy("Die Daten der anderen Erfassung werden übernommen; sie "
                                                        "selbst bleibt als Verweis erhalten."))
    reason = forms.CharField(label=gettext_lazy("Begründung"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("z. B. gleiche AZR-Nummer, Pass verglichen"))
    confirm = forms.BooleanField(label=gettext_lazy("Ich habe beide Erfassungen verglichen: es ist dieselbe Person."))
    version_a = forms.IntegerField(widget=forms.HiddenInput)
    version_b = forms.IntegerField(widget=forms.HiddenInput)
    error_map = {"reason": "reason", "survivor": "__all__", "absorbed": "__all__", "candidate": "__all__",
                 "blocking": "__all__"}

    def __init__(self, *args: Any, preview: svc.MergePreview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        a, b = preview.survivor.person_id, preview.absorbed.person_id
        self.fields["survivor"].choices = [  # type: ignore[attr-defined]
            (str(a), _("Erfassung Nr. %(n)s bleibt") % {"n": a}),
            (str(b), _("Erfassung Nr. %(n)s bleibt") % {"n": b}),
        ]
        self.conflict_fields: list[str] = []
        for c in preview.conflicts:
            if not c.readable or c.survivor is None or c.absorbed is None:
                continue
            name = f"konflikt_{c.field}"
            self.fields[name] = forms.ChoiceField(
                label=_("Widerspruch: %(label)s") % {"label": tr(c.label)}, widget=forms.RadioSelect,
                choices=[(str(a), f"{tr(c.survivor.display)} – {c.survivor.source}"),
                         (str(b), f"{tr(c.absorbed.display)} – {c.absorbed.source}")],
                error_messages={"required": _("Bitte wählen Sie, welcher Wert gilt.")})
            self.conflict_fields.append(name)
            self.error_map = {**self.error_map, f"resolution.{c.field}": name}  # type: ignore[misc]

    def conflict_bound_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.conflict_fields]


def _int_param(request: HttpRequest, key: str, required: bool = True) -> int | None:
    raw = request.GET.get(key, "")
    if not raw and not required:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404(_("Ungültige Angabe: %(key)s") % {"key": key}) from None


#: The comparison table: (label, category, how to read the values from that category's section data).
COMPARE_ROWS: list[tuple[str, Category, Any]] = [
    ("Namen", Category.IDENTITY, None),
    ("Geschlecht", Category.IDENTITY, lambda d: [tr(d["sex_label"])]),
    ("Geburtsdatum", Category.IDENTITY, lambda d: [d["birth_date_display"]]),
    ("Geburtsort", Category.IDENTITY, lambda d: [d["birth_place"]] if d["birth_place"] else []),
    ("Geburtsland", Category.IDENTITY, lambda d: [country_name(d["birth_country"])] if d["birth_country"] else []),
    ("Staatsangehörigkeit", Category.IDENTITY, lambda d: [n["name"] for n in d["nationalities"]]),
    ("Kennungen", Category.IDENTITY, lambda d: [f"{tr(i['kind_label'])}: {i['value']}" for i in d["identifiers"]]),
    ("Kontakte", Category.IDENTITY, lambda d: [f"{tr(c['kind_label'])}: {c['value']}" for c in d["contacts"]]),
    ("Ausweisdokumente", Category.IDENTITY, lambda d: [f"{tr(x['kind_label'])} {x['number']}" for x in d["documents"]]),
    ("Anschriften", Category.RESIDENCE, lambda d: [
        f"{a['street']} {a['postcode']} {a['municipality']} ({a['valid_from']}–{a['valid_until'] or ''})".strip()
        for a in d["addresses"]]),
    ("Aufenthaltsdokumente", Category.RESIDENCE,
     lambda d: [f"{tr(x['kind_label'])} {x['number']}" for x in d["documents"]]),
    ("Sprachen", Category.COMPETENCES, lambda d: [f"{x['name']} {x['level']}" for x in d["languages"]]),
]


def _compare(preview: svc.MergePreview) -> list[dict[str, Any]]:
    rows = []
    for label, cat, read in COMPARE_ROWS:
        cells = []
        for side in (preview.survivor, preview.absorbed):
            data = side.sections.get(cat.value)
            if data is None:
                cells.append({"hidden": True, "reason": translate_message(side.refusals.get(cat.value, ""))})
            elif read is None:
                cells.append({"hidden": False, "names": data["all_names"], "values": []})
            else:
                cells.append({"hidden": False, "values": [v for v in read(data) if v]})
        rows.append({"label": _(label), "cells": cells, "names": read is None})
    return rows


@case_role_required
def merge_form(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    a, b = _int_param(request, "a"), _int_param(request, "b")
    candidate = _int_param(request, "candidate", required=False)
    assert a is not None and b is not None
    try:
        preview = svc.merge_preview(actor=actor, survivor_id=a, absorbed_id=b)
    except NotFound as exc:
        raise not_found(exc) from exc
    except InvalidInput as exc:
        return refuse(request, exc.message, title=_("Zusammenführung nicht möglich"), status=400)
    initial = {"version_a": preview.survivor.version, "version_b": preview.absorbed.version, "survivor": str(a)}
    form = MergeForm(request.POST or None, preview=preview, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            survivor = int(c["survivor"])
            absorbed = b if survivor == a else a
            resolution = {name.removeprefix("konflikt_"): ("survivor" if int(c[name]) == survivor else "absorbed")
                          for name in form.conflict_fields}
            versions = (c["version_a"], c["version_b"]) if survivor == a else (c["version_b"], c["version_a"])
            try:
                merge = svc.merge_persons(actor=actor, survivor_id=survivor, absorbed_id=absorbed,
                                          resolution=resolution, reason=c["reason"], candidate_id=candidate,
                                          versions=versions)
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except Conflict as exc:
                form.add_error(None, translate_message(exc.message) + " "
                               + _("Bitte laden Sie die Seite neu und prüfen Sie den Vergleich erneut."))
            except (AccessDenied, NotFound) as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.message)})
            else:
                messages.success(request, _("Die Erfassungen wurden zusammengeführt (Zusammenführung Nr. %(n)s). "
                                            "Sie können sie unter „Zusammenführungen“ wieder aufheben.")
                                 % {"n": merge.pk})
                return redirect("web:person", pk=survivor)
        status = 400
    return render(request, "web/linkage/merge_form.html", {
        "preview": preview, "form": form, "rows": _compare(preview), "candidate": candidate,
        "moves": [m for m in preview.moves if (m.survivor or m.absorbed) or not m.readable],
        "refusal": translate_message(preview.refusal) if preview.refusal else "",
    }, status=status)


class UndoForm(StellaForm):
    reason = forms.CharField(label=gettext_lazy("Begründung der Aufhebung"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))
    error_map = {"merge": "__all__"}


def _history_rows(person_id: int, merges: list[Merge], bound: tuple[int, UndoForm] | None) -> list[dict[str, Any]]:
    rows = []
    for merge in merges:
        form = bound[1] if bound and bound[0] == merge.pk else UndoForm(prefix=f"m{merge.pk}")
        rows.append({
            "merge": merge, "role": "survivor" if merge.survivor_id == person_id else "absorbed",
            "other": merge.absorbed_id if merge.survivor_id == person_id else merge.survivor_id,
            "moved": svc.move_counts(merge), "form": form, "active": merge.undone_at is None,
            "resolution": [(svc.CONFLICT_FIELDS.get(k, k), v) for k, v in merge.resolution.items()],
        })
    return rows


def _history(request: HttpRequest, pk: int, bound: tuple[int, UndoForm] | None = None,
             status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    overview = _open(actor, pk)
    try:
        merges = svc.merge_history(actor=actor, person_id=pk)
    except NotFound as exc:
        raise not_found(exc) from exc
    return render(request, "web/linkage/merge_history.html",
                  _frame(request, overview, "merges", rows=_history_rows(pk, merges, bound)), status=status)


@case_role_required
def person_merges(request: HttpRequest, pk: int) -> HttpResponse:
    return _history(request, pk)


@require_POST
@case_role_required
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    actor = actor_of(request)
    merge = Merge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise Http404(_("Diese Zusammenführung gibt es nicht."))
    form = UndoForm(request.POST, prefix=f"m{merge_id}")
    status = 400
    if form.is_valid():
        try:
            svc.unmerge(actor=actor, merge_id=merge_id, reason=form.cleaned_data["reason"])
        except NotFound as exc:
            raise not_found(exc) from exc
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except Conflict as exc:
            form.add_error(None, translate_message(exc.message))
            status = 409
        except AccessDenied as exc:
            form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
            status = 403
        else:
            messages.success(request, _("Die Zusammenführung Nr. %(n)s wurde aufgehoben; beide Erfassungen sind "
                                        "wieder getrennt.") % {"n": merge_id})
            return redirect(reverse("web:person_merges", args=[merge.survivor_id]))
    return _history(request, merge.survivor_id, bound=(merge_id, form), status=status)
