"""Schemathesis drives every operation of the app's own OpenAPI schema, in process: never a server error."""

from __future__ import annotations

import dataclasses

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

import netqa
from netqa.web import create_app

TOKEN = "schemathesis-admin-token"


@pytest.fixture(scope="module")
def app_schema(tmp_path_factory):
    bot = netqa.load()
    db = tmp_path_factory.mktemp("schemathesis") / "netqa.db"
    app = create_app(bot, dataclasses.replace(bot.settings, db=str(db), admin_token=TOKEN, rate_limit_per_minute=0))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("app_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(case):
    # With the admin token, so the admin operations reach the store instead of stopping at 401.
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error])
