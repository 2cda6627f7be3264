from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "stella.journey"
    label = "journey"
    verbose_name = "Verlauf und Übergaben"

    def ready(self) -> None:
        # A status change that moves responsibility proposes hand-overs in the same transaction.
        from stella.journey.handovers import propose_on_status_change, withdraw_on_status_correction
        from stella.journey.services import STATUS_CORRECTION_HOOKS, STATUS_EVENT_HOOKS

        if propose_on_status_change not in STATUS_EVENT_HOOKS:
            STATUS_EVENT_HOOKS.append(propose_on_status_change)
        if withdraw_on_status_correction not in STATUS_CORRECTION_HOOKS:
            STATUS_CORRECTION_HOOKS.append(withdraw_on_status_correction)
