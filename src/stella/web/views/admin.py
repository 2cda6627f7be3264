"""User management for administrators (who read no case data): list, create, roles, (de)activate."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stella.accounts import services as accounts
from stella.accounts.models import User
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.web.forms import RolesForm, UserCreateForm
from stella.web.labels import tr, translate_message
from stella.web.views.common import actor_of, admin_required, refuse

PAGE_SIZE = 50


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    users = User.objects.select_related("agency").prefetch_related("role_assignments").order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(last_name__icontains=q) | Q(agency__code__icontains=q)
                             | Q(agency__name__icontains=q))
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("seite"))
    rows = [{"user": u, "roles": [tr(r.get_role_display()) for r in u.role_assignments.all()]}
            for u in page.object_list]
    return render(request, "web/admin/users.html", {"page": page, "rows": rows, "q": q})


@admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if request.method == "POST":
        form = UserCreateForm(request.POST)
        if form.is_valid():
            c = form.cleaned_data
            try:
                user = accounts.create_user(actor=actor, username=c["username"], password=c["password1"],
                                            agency_code=c["agency"], roles=c["roles"], first_name=c["first_name"],
                                            last_name=c["last_name"], email=c["email"], team=c["team"])
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                return refuse(request, exc.reason)
            else:
                messages.success(request, _("Der Benutzer „%(name)s“ wurde angelegt.") % {"name": user.username})
                return redirect("web:user_edit", user_id=user.pk)
    else:
        form = UserCreateForm()
    return render(request, "web/admin/user_create.html", {"form": form})


@admin_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = actor_of(request)
    user = User.objects.select_related("agency").filter(pk=user_id).first()
    if user is None:
        raise Http404(_("Der Benutzer wurde nicht gefunden."))
    form = RolesForm(initial={"roles": user.role_codes()})
    active_error = ""
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "roles":
                form = RolesForm(request.POST)
                if form.is_valid():
                    accounts.set_roles(actor=actor, user_id=user.pk, roles=form.cleaned_data["roles"])
                    messages.success(request, _("Die Rollen wurden gespeichert."))
                    return redirect("web:user_edit", user_id=user.pk)
            elif op in ("activate", "deactivate"):
                accounts.set_active(actor=actor, user_id=user.pk, active=op == "activate")
                messages.success(request, _("Das Konto wurde gesperrt.") if op == "deactivate"
                                 else _("Das Konto wurde wieder freigegeben."))
                return redirect("web:user_edit", user_id=user.pk)
        except InvalidInput as exc:
            if op == "roles":
                form.apply_service_errors(exc)
            else:
                active_error = translate_message(next(iter(exc.field_errors.values()))[0])
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except NotFound as exc:
            raise Http404(translate_message(exc.message)) from exc
    return render(request, "web/admin/user_edit.html", {
        "account": user, "form": form, "active_error": active_error,
        "roles": [tr(label) for label in user.role_labels()],
    })
