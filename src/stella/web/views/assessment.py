"""The file's tab "Rechtliche Einschätzung": work permission, benefits and integration course on a Stichtag,
with the caseworker's own inputs (GET form) and the provenance of every input.

The service (`journey.assessment.legal_assessment`) decides per answer what the user may see and audits the read;
this view only parses the form and arranges the answers as cards.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from stella.cases.access import today as local_today
from stella.core.errors import InvalidInput, NotFound
from stella.journey.assessment import (
    GROUND_LABELS,
    QUESTION_LABELS,
    Answer,
    AssessmentInput,
    LegalAssessment,
    Overrides,
    legal_assessment,
)
from stella.rules.benefits import STAGE_DE
from stella.web.choices import country_name
from stella.web.forms import AssessmentForm
from stella.web.labels import tr
from stella.web.views.common import actor_of, not_found
from stella.web.views.files import _frame, _open  # the file's header and tabs, shared by every tab


@login_required
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    overview = _open(actor, pk)
    submitted = bool(request.GET)
    form = AssessmentForm(request.GET if submitted else None, initial={"stichtag": local_today()})
    result: LegalAssessment | None = None
    if not submitted or form.is_valid():
        on = form.cleaned_data.get("stichtag") if submitted else None
        overrides = form.overrides() if submitted else Overrides()
        try:
            result = legal_assessment(actor=actor, person_id=pk, on=on, overrides=overrides)
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except NotFound as exc:
            raise not_found(exc) from exc
    context = _frame(request, overview, "assessment", form=form, assessment=result,
                     adjust_open=form.has_overrides() or _needs_inputs(result))
    if result is not None:
        context.update(work_common=_common(result.work), benefit_facts=_benefit_facts(result.benefit),
                       input_rows=[_input_row(i) for i in result.inputs],
                       coverage=[(QUESTION_LABELS.get(q, q), first, last) for q, (first, last) in result.coverage.items()])
    return render(request, "web/person/assessment.html", context)


def _needs_inputs(result: LegalAssessment | None) -> bool:
    """Open "Angaben anpassen" when an answer lacks an input the caseworker could supply there."""
    if result is None:
        return False
    return any(field in AssessmentForm.OVERRIDES for a in result.answers for field in a.error_fields)


def _common(answers: tuple[Answer, ...]) -> Answer | None:
    """One refusal or error shared by all four activities is shown once, not four times."""
    first = answers[0]
    if (first.refused or first.error) and all((a.refused, a.error) == (first.refused, first.error) for a in answers):
        return first
    return None


def _input_row(item: AssessmentInput) -> dict[str, Any]:
    """One row of the inputs table, its value in the UI language (the provenance stays German, like the law)."""
    value = item.value
    if item.key == "nationality" and value:
        display = f"{country_name(value)} ({value})"
    elif item.key == "age" and value is not None:
        display = _("%(years)s Jahre") % {"years": value}
    elif item.key == "duldung_grounds":
        display = "; ".join(tr(GROUND_LABELS.get(g, g)) for g in value or ()) or _("keine")
    else:
        display = tr(item.display)
    return {"item": item, "label": tr(item.label), "display": display,
            "caveat": _("Näherung") if item.caveat == "Näherung" else item.caveat}


def _benefit_facts(answer: Answer) -> dict[str, Any] | None:
    if answer.result is None:
        return None
    details = answer.result.details
    stage = details.get("stage")
    return {"stage": stage, "stage_label": STAGE_DE.get(stage, "") if stage else "",
            "amount_eur": details.get("amount_eur"), "besitzschutz_eur": details.get("amount_besitzschutz_eur"),
            "child_supplement_eur": details.get("child_supplement_eur")}
