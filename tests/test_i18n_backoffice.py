"""The back office in German (issue 22): an admin whose browser asks for German sees the
admin home, the user list and a program's edit form translated, and a refused form
shows its German message beside the field while keeping what was typed."""

from __future__ import annotations

from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from tests.support.factories import UserInfo
from tests.support.structure import Structure, build_structure

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


@pytest.fixture
def admin(make_user) -> UserInfo:
    """An admin (no language chosen on the profile: the browser's decides)."""
    return make_user("admin")


@pytest.fixture
def as_admin(client: FlaskClient, auth: Auth, admin: UserInfo) -> Auth:
    """The client signed in as the admin."""
    auth.login(admin.email)
    return auth


def german_page(auth: Auth, url: str) -> str:
    response = auth.client.get(url, headers=GERMAN)
    assert response.status_code == 200, url
    return unescape(response.get_data(as_text=True))


def test_admin_home_in_german(as_admin: Auth) -> None:
    html = german_page(as_admin, "/admin")
    for german in (
        "Admin-Startseite",
        "Auf einen Blick",
        "Aktive Lernende diese Woche",
        "Offene Einladungen",
        "Kein fehlgeschlagener Auftrag.",
        "Kein Auftrag läuft.",
    ):
        assert german in html
    for english in ("<h1>Admin home</h1>", "At a glance", "Pending invitations", "No failed job."):
        assert english not in html


def test_admin_home_stays_english_by_default(as_admin: Auth) -> None:
    html = unescape(as_admin.client.get("/admin").get_data(as_text=True))
    assert "At a glance" in html and "Auf einen Blick" not in html


def test_user_list_in_german(as_admin: Auth, make_user) -> None:
    instructor = make_user("instructor")
    html = german_page(as_admin, "/admin/users")
    for german in (
        "Benutzer",
        "Name oder E-Mail enthält",
        "Jede Rolle",
        "Suchen",
        "Rolle",
        "Aktiv",
        "Deaktivieren",
        "Überall abmelden",
        "Lehrkraft",
    ):
        assert german in html, german
    for english in (
        "Name or e-mail contains",
        "Any role",
        "Sign out everywhere",
        ">Deactivate<",
        ">Search<",
    ):
        assert english not in html, english
    assert instructor.email in html


def test_program_form_in_german(as_admin: Auth, app: Flask, admin: UserInfo) -> None:
    world: Structure = build_structure(app, admin.id)
    html = german_page(as_admin, f"/manage/programs/{world.program}")
    for german in (
        "Programm „Path“ bearbeiten",
        "Titel",
        "Beschreibung",
        "Dauer in Wochen",
        "Gebühr",
        "Währung",
        "Details speichern",
        "Kurs hinzufügen",
        "Eingeschriebene Personen",
        "3 Module",
    ):
        assert german in html, german
    for english in ("Edit program", "Length in weeks", "Save details", "Enrolled people"):
        assert english not in html, english


def test_refused_program_form_in_german_keeps_input(as_admin: Auth) -> None:
    token = as_admin.csrf("/")
    response = as_admin.client.post(
        "/manage/programs/new",
        data={
            "title": "Mein Programm",
            "weeks": "9999",
            "fee": "0",
            "currency": "EUR",
            "level": "foundation",
            "csrf_token": token,
        },
        headers=GERMAN,
    )
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Von 0 bis" in html and "Wochen." in html
    assert "From 0 to" not in html
    assert 'value="Mein Programm"' in html
    assert 'value="9999"' in html


def test_service_refusal_in_german_keeps_input(as_admin: Auth) -> None:
    token = as_admin.csrf("/")
    response = as_admin.client.post(
        "/manage/programs/new",
        data={
            "title": "",
            "description": "Bleibt stehen",
            "weeks": "4",
            "fee": "0",
            "currency": "EUR",
            "level": "foundation",
            "csrf_token": token,
        },
        headers=GERMAN,
    )
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Titel darf nicht leer sein" in html
    assert "title must not be empty" not in html
    assert "Bleibt stehen" in html


def test_flash_in_german(as_admin: Auth) -> None:
    token = as_admin.csrf("/")
    response = as_admin.client.post(
        "/manage/programs/new",
        data={
            "title": "Neues Programm",
            "weeks": "4",
            "fee": "0",
            "currency": "EUR",
            "level": "foundation",
            "self_enrol": "y",
            "csrf_token": token,
        },
        headers=GERMAN,
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Programm ‘Neues Programm’ erstellt; fügen Sie jetzt seine Kurse hinzu." in html
    assert "now add its courses" not in html
