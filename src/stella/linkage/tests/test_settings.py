"""The linkage thresholds come from the environment; a bad value stops the start with a clear message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from stella.settings import _probability


def test_unset_or_empty_means_default(monkeypatch):
    monkeypatch.delenv("STELLA_LINKAGE_AUTO_MERGE_THRESHOLD", raising=False)
    assert _probability("STELLA_LINKAGE_AUTO_MERGE_THRESHOLD") is None
    monkeypatch.setenv("STELLA_LINKAGE_AUTO_MERGE_THRESHOLD", "  ")
    assert _probability("STELLA_LINKAGE_AUTO_MERGE_THRESHOLD") is None


def test_a_probability_is_read(monkeypatch):
    monkeypatch.setenv("STELLA_LINKAGE_QUEUE_THRESHOLD", "0.9999")
    assert _probability("STELLA_LINKAGE_QUEUE_THRESHOLD") == 0.9999


@pytest.mark.parametrize("raw", ["0", "1.5", "-0.2", "hoch", "nan"])
def test_bad_values_are_refused_with_the_name(monkeypatch, raw):
    monkeypatch.setenv("STELLA_LINKAGE_SHOW_THRESHOLD", raw)
    with pytest.raises(ImproperlyConfigured, match="STELLA_LINKAGE_SHOW_THRESHOLD"):
        _probability("STELLA_LINKAGE_SHOW_THRESHOLD")


def test_online_defaults_apply_when_unset(settings):
    from stella.linkage import online

    settings.STELLA_LINKAGE_SHOW_THRESHOLD = None
    settings.STELLA_LINKAGE_QUEUE_THRESHOLD = None
    assert online.show_threshold() == online.DEFAULT_SHOW_THRESHOLD
    assert online.queue_threshold() == online.DEFAULT_QUEUE_THRESHOLD
    settings.STELLA_LINKAGE_QUEUE_THRESHOLD = 0.8
    assert online.queue_threshold() == 0.8
