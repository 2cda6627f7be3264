"""Fixtures of the linkage tests: the review world (two agencies, one man registered twice, one candidate)
and the API clients of `stella.api.tests`."""

from stella.api.tests.conftest import anonymous, as_user  # noqa: F401 – fixtures for the API tests
from stella.linkage.tests.review_setup import world  # noqa: F401 – fixture
