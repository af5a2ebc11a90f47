"""The operator commands scripts use to find merchant ids and build head-office groups (run
in-process: the command forms and output are what matter here)."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from rota.cli import app


def _rota(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"ROTA_DATABASE_URL": database_url})


def _last_line(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def test_sites_show_groups_and_modules(migrated_database: str) -> None:
    site = _last_line(
        _rota(migrated_database, "sites", "create", "Store", "--time-zone", "Europe/Paris")
    )
    document = json.loads(_rota(migrated_database, "sites", "show", site, "--json").stdout)
    assert document["id"] == site
    assert isinstance(document["merchantId"], int)
    assert (document["name"], document["timeZone"]) == ("Store", "Europe/Paris")
    assert document["groupId"] is None

    group = _last_line(_rota(migrated_database, "groups", "create", "Acme"))
    assert group.isdigit()
    _last_line(_rota(migrated_database, "groups", "add-site", group, site))
    _last_line(_rota(migrated_database, "modules", "enable", site, "workday"))
    _last_line(
        _rota(migrated_database, "sites", "set-idp", site, "--name", "Okta", "--domain", "acme.com")
    )
    again = json.loads(_rota(migrated_database, "sites", "show", site, "--json").stdout)
    assert again["merchantId"] == document["merchantId"]  # assigned once
    assert (again["groupId"], again["groupName"]) == (int(group), "Acme")
    assert again["modules"] == ["workday"]
    assert again["identityProvider"] == {"name": "Okta", "domains": ["acme.com"]}

    unknown = _rota(
        migrated_database, "sites", "show", "00000000-0000-0000-0000-000000000000", "--json"
    )
    assert unknown.exit_code == 2
    assert "does not exist" in unknown.output


def test_groups_refuse_unknown_sites(migrated_database: str) -> None:
    nowhere = "00000000-0000-0000-0000-000000000000"
    for args in (
        ("groups", "create", "Ghost", "--head-office", nowhere),
        (
            "groups",
            "add-site",
            _last_line(_rota(migrated_database, "groups", "create", "G")),
            nowhere,
        ),
    ):
        result = _rota(migrated_database, *args)
        assert result.exit_code == 2, result.output
        assert "does not exist" in result.output
    document = json.loads(_rota(migrated_database, "groups", "list", "--json").stdout)
    assert "Ghost" not in [group["name"] for group in document]
