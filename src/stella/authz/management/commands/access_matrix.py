"""`stella access-matrix`: print the access matrix (Markdown) from the policy tables."""

from typing import Any

from django.core.management.base import BaseCommand

from stella.authz.matrix import render


class Command(BaseCommand):
    help = "Gibt die Zugriffsmatrix aus den Richtlinientabellen als Markdown aus."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(render())
