"""URL map of the web UI.

Login and logout keep their un-namespaced names ("login", "logout") because settings refer to
LOGIN_URL = "login"; everything else lives in the "web" namespace.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from stella.web.forms import LoginForm
from stella.web.views import (
    admin,
    appointments,
    assessment,
    dpo,
    files,
    handovers,
    home,
    journey,
    persons,
    tasks,
)

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
    path("personen/<int:pk>/aufgaben-termine/", tasks.person_panel, name="person_tasks"),
    path("personen/<int:pk>/aufgaben-termine/aufgabe/", tasks.person_task_new, name="person_task_new"),
    path("personen/<int:pk>/aufgaben-termine/termin/", appointments.appointment_new, name="appointment_new"),
    path("personen/<int:pk>/uebergaben/", handovers.person_handovers, name="person_handovers"),
    path("personen/<int:pk>/<str:record>/neu/", files.add_record, name="record_add"),
    path("uebergaben/", handovers.inbox, name="handovers"),
    path("uebergaben/team/", handovers.team, name="handovers_team"),
    path("uebergaben/<int:handover_id>/", handovers.detail, name="handover"),
    path("uebergaben/<int:handover_id>/annehmen/", handovers.accept, name="handover_accept"),
    path("uebergaben/<int:handover_id>/ablehnen/", handovers.reject, name="handover_reject"),
    path("uebergaben/<int:handover_id>/umleiten/", handovers.reroute, name="handover_reroute"),
    path("uebergaben/<int:handover_id>/abschliessen/", handovers.complete, name="handover_complete"),
    path("uebergaben/sammel/", handovers.bulk_list, name="bulk_handovers"),
    path("uebergaben/sammel/neu/", handovers.bulk_new, name="bulk_new"),
    path("uebergaben/sammel/<int:job_id>/", handovers.bulk_job, name="bulk_job"),
    path("uebergaben/sammel/<int:job_id>/bericht.csv", handovers.bulk_report, name="bulk_report"),
    path("uebergaben/sammel/<int:job_id>/fortsetzen/", handovers.bulk_resume, name="bulk_resume"),
    path("aufgaben/", tasks.my_tasks, name="tasks"),
    path("aufgaben/team/", tasks.team, name="tasks_team"),
    path("aufgaben/neu/", tasks.task_new, name="task_new"),
    path("aufgaben/<int:task_id>/", tasks.task_detail, name="task"),
    path("aufgaben/<int:task_id>/erledigen/", tasks.task_complete, name="task_complete"),
    path("aufgaben/<int:task_id>/entfaellt/", tasks.task_cancel, name="task_cancel"),
    path("aufgaben/<int:task_id>/zuweisen/", tasks.task_reassign, name="task_reassign"),
    path("termine/", appointments.my_appointments, name="appointments"),
    path("termine/<int:appointment_id>/", appointments.appointment_detail, name="appointment"),
    path("termine/<int:appointment_id>/einladung.pdf", appointments.appointment_letter, name="appointment_letter"),
    path("termine/<int:appointment_id>/termin.ics", appointments.appointment_ics, name="appointment_ics"),
    path("benachrichtigungen/", tasks.notification_list, name="notifications"),
    path("benachrichtigungen/alle-gelesen/", tasks.notification_read_all, name="notifications_read_all"),
    path("benachrichtigungen/<int:notification_id>/gelesen/", tasks.notification_read, name="notification_read"),
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
