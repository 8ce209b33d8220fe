"""seed_demo creates demo logins, so it must never run against production."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_under_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError, match="refuses"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@demo.charter.invalid").exists()


def test_seed_demo_refuses_without_debug_outside_tests(settings):
    settings.DEBUG = False
    settings.SETTINGS_MODULE = "config.settings.dev"  # after DEBUG: each override starts afresh
    with pytest.raises(CommandError):
        call_command("seed_demo")
