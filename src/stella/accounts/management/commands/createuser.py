"""`stella createuser NAME --agency CODE --role ROLE [--role …]`: create a user (password from stdin or prompt)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.accounts.services import create_user
from stella.agencies.models import Role
from stella.core.actor import Actor
from stella.core.errors import InvalidInput


class Command(BaseCommand):
    help = "Legt einen Benutzer einer Behörde mit Rollen an."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="Kennung der Behörde, z. B. JC-LB")
        parser.add_argument("--role", action="append", required=True, choices=Role.values, dest="roles")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--team", default="")
        parser.add_argument("--password-stdin", action="store_true", help="Passwort aus der Standardeingabe lesen")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Passwort: ")
            if password != getpass.getpass("Passwort (Wiederholung): "):
                raise CommandError("Die Passwörter stimmen nicht überein.")
        try:
            user = create_user(actor=Actor.system("Benutzerverwaltung (CLI)"), username=o["username"],
                               password=password, agency_code=o["agency"], roles=o["roles"],
                               first_name=o["first_name"], last_name=o["last_name"], email=o["email"], team=o["team"])
        except InvalidInput as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())) from exc
        self.stdout.write(f"Benutzer {user.username} ({user.agency}) angelegt.")
