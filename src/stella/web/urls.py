"""URL map of the web UI.

Login and logout keep their un-namespaced names ("login", "logout") because settings refer to
LOGIN_URL = "login"; everything else lives in the "web" namespace.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from stella.web.forms import LoginForm
from stella.web.views import admin, assessment, dpo, files, home, journey, persons

web_patterns = [
    path("", home.home, name="home"),
    path("suche/", persons.search, name="search"),
    path("personen/neu/", persons.register, name="register"),
    path("personen/<int:pk>/", files.overview, name="person"),
    path("personen/<int:pk>/bereich/<str:category>/", files.section, name="section"),
    path("personen/<int:pk>/vermerk/neu/", files.add_entry, name="entry_add"),
    path("personen/<int:pk>/vermerk/<int:entry_id>/berichtigen/", files.correct_entry, name="entry_correct"),
    path("personen/<int:pk>/anhang/<int:attachment_id>/", files.attachment, name="attachment"),
    path("personen/<int:pk>/einwilligungen/<int:consent_id>/formular/", files.consent_form, name="consent_form"),
    path("personen/<int:pk>/stammdaten/", files.edit_person, name="person_edit"),
    path("personen/<int:pk>/einwilligungen/", files.consent_list, name="consents"),
    path("personen/<int:pk>/einwilligungen/neu/", files.consent_add, name="consent_add"),
    path("personen/<int:pk>/einwilligungen/<int:consent_id>/widerrufen/", files.consent_revoke,
         name="consent_revoke"),
    path("personen/<int:pk>/beteiligungen/", files.participation_list, name="participations"),
    path("personen/<int:pk>/rechtliche-einschaetzung/", assessment.assessment, name="assessment"),
    path("personen/<int:pk>/verlauf/", journey.journey_view, name="journey"),
    path("personen/<int:pk>/verlauf/ereignis/", journey.add_status_event, name="status_add"),
    path("personen/<int:pk>/verlauf/ereignis/<int:event_id>/berichtigen/", journey.correct_status_event,
         name="status_correct"),
    path("personen/<int:pk>/<str:record>/neu/", files.add_record, name="record_add"),
    path("protokoll/", dpo.audit_log, name="audit"),
    path("protokoll/pruefen/", dpo.verify, name="audit_verify"),
    path("protokoll/auskunft/", dpo.export, name="audit_export"),
    path("verwaltung/benutzer/", admin.user_list, name="users"),
    path("verwaltung/benutzer/neu/", admin.user_create, name="user_create"),
    path("verwaltung/benutzer/<int:user_id>/", admin.user_edit, name="user_edit"),
]

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm,
                                     redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((web_patterns, "web"))),
]
