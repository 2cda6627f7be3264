from django.apps import AppConfig


class CompetencesConfig(AppConfig):
    name = "stella.competences"
    label = "competences"
    verbose_name = "Kompetenzen"
