"""Views of the web UI: thin adapters that call the services with the user's Actor."""
