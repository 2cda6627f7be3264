"""Authorisation: data categories, the access policy and its explanations."""
