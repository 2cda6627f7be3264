"""Appointments in the web UI: "Meine Termine" (or the whole agency's), a new appointment for a person
(with the conflict check), an appointment with cancel, and the downloads (letter PDF, ICS)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stella.authz.policy import Action, Category, decide
from stella.cases.access import file_context
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import appointments as service
from stella.journey.models import Appointment
from stella.web.labels import translate_message
from stella.web.task_forms import AppointmentForm, CancelAppointmentForm
from stella.web.views.common import actor_of, case_role_required, not_found, refuse
from stella.web.views.files import _frame, _open


@case_role_required
def my_appointments(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    agency_wide = request.GET.get("ansicht") == "behoerde"
    include_past = request.GET.get("vergangene") == "1"
    try:
        items = list(service.my_appointments(actor=actor, include_past=include_past, agency_wide=agency_wide))
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    return render(request, "web/appointments/my_appointments.html",
                  {"items": items, "agency_wide": agency_wide, "include_past": include_past})


@case_role_required
def appointment_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    decision = decide(actor, Action.WRITE, Category.COUNSELLING, ov.context)
    if not decision:
        return refuse(request, decision.reason)
    status = 200
    if request.method == "POST":
        form = AppointmentForm(request.POST, agency_id=actor.agency_id)
        if form.is_valid():
            try:
                appointment = service.create_appointment(actor=actor, person_id=pk, **form.payload())
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                status = 403
            else:
                messages.success(request, _("Der Termin wurde angelegt. Das Einladungsschreiben können Sie jetzt "
                                            "herunterladen."))
                return redirect("web:appointment", appointment_id=appointment.pk)
    else:
        form = AppointmentForm(agency_id=actor.agency_id)
    return render(request, "web/appointments/form.html", _frame(request, ov, "tasks", form=form), status=status)


def _get(request: HttpRequest, appointment_id: int) -> Appointment:
    try:
        return service.get_appointment(actor=actor_of(request), appointment_id=appointment_id)
    except NotFound as exc:
        raise not_found(exc) from exc


@case_role_required
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = actor_of(request)
    appointment = _get(request, appointment_id)
    status = 200
    form = CancelAppointmentForm()
    if request.method == "POST":
        form = CancelAppointmentForm(request.POST)
        if form.is_valid():
            try:
                service.cancel_appointment(actor=actor, appointment_id=appointment_id,
                                           reason=form.cleaned_data.get("reason", ""))
            except InvalidInput as exc:
                form.apply_service_errors(exc)
                for message in exc.field_errors.get("state", []):
                    form.add_error(None, translate_message(message))
            except AccessDenied as exc:
                return refuse(request, exc.reason)
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Der Termin wurde abgesagt. Bitte informieren Sie die Person; das "
                                            "Schreiben zeigt jetzt die Absage."))
                return redirect("web:appointment", appointment_id=appointment_id)
    translation = service.translation_for(actor, appointment)
    writable = decide(actor, Action.WRITE, Category.COUNSELLING,
                      file_context(actor, appointment.person_id)).allowed
    return render(request, "web/appointments/detail.html", {
        "appointment": appointment, "span": service.span_text(appointment.starts_at, appointment.ends_at),
        "translation": translation, "form": form, "language": service.language_label(appointment.language),
        "may_cancel": writable and appointment.cancelled_at is None}, status=status)


def _download(item: service.Download) -> HttpResponse:
    response = HttpResponse(item.content, content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@case_role_required
def appointment_letter(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        return _download(service.invitation_letter(actor=actor_of(request), appointment_id=appointment_id))
    except NotFound as exc:
        raise not_found(exc) from exc


@case_role_required
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        return _download(service.calendar_file(actor=actor_of(request), appointment_id=appointment_id))
    except NotFound as exc:
        raise not_found(exc) from exc
