"""Accounts (issue 18): invitations, password reset, open sign-up, through a real SMTP
server; every link is followed from the message that arrived."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from time_machine import TimeMachineFixture

from tests.support import factories
from tests.support.accounts import (
    address,
    flashes,
    link_path,
    make_cohort,
    post_form,
    set_policy,
)
from tests.support.auth import Auth, sign_in, signed_in
from tests.support.smtp import Mailbox, html_of, links, text_of
from webapp.accounts.queries import pending_invitations_count, recent_signups
from webapp.extensions import db
from webapp.models import CohortMember, Enrollment, Invitation, User

PASSWORD = "a quiet harbour at dawn"


def _admin_headers(app: Flask, make_user) -> dict[str, str]:
    return factories.bearer_headers(app, make_user("admin"))


def _accept(client: FlaskClient, path: str, name: str = "Ines Invitee"):
    return post_form(client, path, {"name": name, "password": PASSWORD, "confirm": PASSWORD})


def _user(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


# --------------------------------------------------------------------------- invitations


def test_an_invitation_from_the_page_signs_the_invitee_in_enrolled_and_in_the_cohort(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox: Mailbox
) -> None:
    admin = make_user("admin")
    target = make_cohort(app)
    auth.login(admin.email)
    invitee = address("page")
    response = post_form(
        client,
        "/admin/invitations",
        {
            "email": invitee.upper(),
            "role": "learner",
            "program": target.program_slug,
            "cohort": str(target.cohort_id),
            "cohort_role": "learner",
        },
    )
    assert response.status_code == 302
    listing = flashes(client.get("/admin/invitations"))
    assert invitee in listing and f"Program {target.program_slug}" in listing

    message = mailbox.wait_for(invitee)
    assert len(links(message)) == 1
    assert html_of(message).count("<a ") == 1
    path = link_path(mailbox, invitee)
    assert path.startswith("/invitations/")
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)

    done = _accept(visitor, path)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/programs/{target.program_slug}")
    assert signed_in(visitor)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == invitee))
        assert user is not None and user.name == "Ines Invitee" and user.email_verified
        assert db.session.scalar(
            select(Enrollment).where(
                Enrollment.user_id == user.id, Enrollment.program_id == target.program_id
            )
        )
        member = db.session.scalar(select(CohortMember).where(CohortMember.user_id == user.id))
        assert member is not None and member.cohort_id == target.cohort_id
        assert pending_invitations_count() == 0
        assert recent_signups(1)[0].email == invitee

    # Single use: the link is dead, for anyone.
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already been used" in flashes(again)
    assert _accept(app.test_client(), path).status_code == 410


def test_expired_and_revoked_links_get_a_clear_page(
    app: Flask, make_user, mailbox: Mailbox, clock: TimeMachineFixture
) -> None:
    headers = _admin_headers(app, make_user)
    api = app.test_client()
    late, withdrawn = address("late"), address("withdrawn")
    assert (
        api.post(
            "/api/v1/invitations", json={"email": late, "role": "learner"}, headers=headers
        ).status_code
        == 201
    )
    created = api.post(
        "/api/v1/invitations", json={"email": withdrawn, "role": "instructor"}, headers=headers
    )
    assert created.status_code == 201
    late_path, withdrawn_path = link_path(mailbox, late), link_path(mailbox, withdrawn)

    assert (
        api.delete(f"/api/v1/invitations/{created.get_json()['id']}", headers=headers).status_code
        == 204
    )
    gone = app.test_client().get(withdrawn_path)
    assert gone.status_code == 410 and "withdrawn" in flashes(gone)

    clock.shift(timedelta(days=6, hours=23).total_seconds())
    assert app.test_client().get(late_path).status_code == 200
    clock.shift(timedelta(hours=1, seconds=1).total_seconds())
    expired = app.test_client().get(late_path)
    assert expired.status_code == 410 and "expired" in flashes(expired)
    assert _accept(app.test_client(), late_path).status_code == 410
    assert _user(app, late) is None


def test_resend_sends_a_new_link_and_kills_the_old_one(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    headers = _admin_headers(app, make_user)
    api = app.test_client()
    invitee = address("resend")
    created = api.post(
        "/api/v1/invitations", json={"email": invitee, "role": "learner"}, headers=headers
    )
    old = link_path(mailbox, invitee)
    resent = api.post(f"/api/v1/invitations/{created.get_json()['id']}/resend", headers=headers)
    assert resent.status_code == 200 and resent.get_json()["send_count"] == 2
    new = link_path(mailbox, invitee, count=2)
    assert new != old
    assert app.test_client().get(old).status_code == 410
    visitor = app.test_client()
    assert _accept(visitor, new).status_code == 302 and signed_in(visitor)
    # Accepted: neither re-sent nor revoked any more.
    assert (
        api.post(
            f"/api/v1/invitations/{created.get_json()['id']}/resend", headers=headers
        ).status_code
        == 409
    )
    assert (
        api.delete(f"/api/v1/invitations/{created.get_json()['id']}", headers=headers).status_code
        == 409
    )


def test_resend_and_revoke_from_the_page(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox: Mailbox
) -> None:
    admin = make_user("admin")
    auth.login(admin.email)
    invitee = address("pagerevoke")
    post_form(client, "/admin/invitations", {"email": invitee, "role": "learner"})
    old = link_path(mailbox, invitee)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.email == invitee))
    response = post_form(
        client, "/admin/invitations", {}, action=f"/admin/invitations/{invitation_id}/resend"
    )
    assert response.status_code == 302
    new = link_path(mailbox, invitee, count=2)
    assert app.test_client().get(old).status_code == 410
    confirm = client.get(f"/admin/invitations/{invitation_id}/revoke")
    assert confirm.status_code == 200 and invitee in flashes(confirm)
    page = f"/admin/invitations/{invitation_id}/revoke"
    assert post_form(client, page, {}).status_code == 302
    assert app.test_client().get(new).status_code == 410


def test_a_bulk_invitation_reports_row_by_row(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox: Mailbox
) -> None:
    admin = make_user("admin")
    member = make_user("learner")
    auth.login(admin.email)
    fresh, second, invited = address("bulk1"), address("bulk2"), address("bulk3")
    post_form(client, "/admin/invitations", {"email": invited, "role": "learner"})
    mailbox.wait_for(invited)
    csv_text = "\n".join(
        [
            "email,role",
            f"{fresh},",
            "not-an-address,learner",
            f"{member.email},learner",
            f"{invited},",
            f"{fresh},",
            f"{second},instructor",
            f"{address('bad')},boss",
        ]
    )
    response = post_form(
        client, "/admin/invitations/bulk", {"csv_text": csv_text, "role": "learner"}
    )
    assert response.status_code == 200, flashes(response)
    html = response.get_data(as_text=True)
    expected = {
        2: "sent",
        3: "invalid",
        4: "already a member",
        5: "already invited",
        6: "duplicate row",
        7: "sent",
        8: "invalid",
    }
    for line, result in expected.items():
        assert f'data-line="{line}" data-result="{result}"' in html, (line, result)
    assert "not re-sent" in html
    mailbox.wait_for(fresh)
    mailbox.wait_for(second)
    with app.app_context():
        roles = dict(db.session.execute(select(Invitation.email, Invitation.role)).all())
    assert roles[second] == "instructor" and roles[fresh] == "learner"

    # Ticking "re-send": the already-invited address gets a new link.
    again = post_form(
        client,
        "/admin/invitations/bulk",
        {"csv_text": f"email\n{invited}\n", "role": "learner", "resend": "y"},
    )
    assert 'data-result="re-sent"' in again.get_data(as_text=True)
    mailbox.wait_for(invited, count=2)


def test_a_cohort_instructor_invites_learners_to_their_own_cohort_only(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox: Mailbox
) -> None:
    teacher = make_user("instructor")
    other_teacher = make_user("instructor")
    own = make_cohort(app, teacher.id)
    other = make_cohort(app, other_teacher.id)
    headers = factories.bearer_headers(app, teacher)
    api = app.test_client()

    def invite(**body):
        return api.post("/api/v1/invitations", json=body, headers=headers)

    learner = address("cohort")
    assert invite(email=learner, role="learner", cohort_id=own.cohort_id).status_code == 201
    assert invite(email=address(), role="learner", cohort_id=other.cohort_id).status_code == 403
    assert invite(email=address(), role="instructor", cohort_id=own.cohort_id).status_code == 403
    assert invite(email=address(), role="learner").status_code == 403
    assert (
        invite(
            email=address(), role="learner", cohort_id=own.cohort_id, program=own.program_slug
        ).status_code
        == 403
    )
    other_headers = factories.bearer_headers(app, other_teacher)
    other_invite = api.post(
        "/api/v1/invitations",
        json={"email": address("theirs"), "role": "learner", "cohort_id": other.cohort_id},
        headers=other_headers,
    )
    assert other_invite.status_code == 201
    listed = api.get("/api/v1/invitations", headers=headers).get_json()["invitations"]
    assert [i["email"] for i in listed] == [learner]
    assert (
        api.delete(
            f"/api/v1/invitations/{other_invite.get_json()['id']}", headers=headers
        ).status_code
        == 404
    )

    auth.login(teacher.email)
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert learner in page and other_invite.get_json()["email"] not in page
    refused = post_form(
        client,
        "/admin/invitations",
        {"email": address(), "role": "learner", "cohort": str(other.cohort_id)},
    )
    assert refused.status_code == 400 and "cohorts you teach" in flashes(refused)

    visitor = app.test_client()
    path = link_path(mailbox, learner)
    done = _accept(visitor, path)
    assert done.headers["Location"].endswith(f"/cohorts/{own.cohort_id}")
    assert visitor.get(f"/cohorts/{own.cohort_id}").status_code == 200


def test_learners_may_not_invite(app: Flask, client: FlaskClient, auth: Auth, make_user) -> None:
    learner = make_user("learner")
    headers = factories.bearer_headers(app, learner)
    answer = app.test_client().post(
        "/api/v1/invitations", json={"email": address(), "role": "learner"}, headers=headers
    )
    assert answer.status_code == 403
    auth.login(learner.email)
    assert client.get("/admin/invitations").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_api_invitation_contract(app: Flask, make_user, mailbox: Mailbox) -> None:
    headers = _admin_headers(app, make_user)
    api = app.test_client()
    invitee = address("contract")
    created = api.post(
        "/api/v1/invitations", json={"email": invitee, "role": "admin"}, headers=headers
    )
    assert created.status_code == 201
    body = created.get_json()
    assert {"id", "email", "role", "expires_at"} <= body.keys()
    assert body["email"] == invitee and body["role"] == "admin"
    message = mailbox.wait_for(invitee)
    [link] = links(message)
    assert "/invitations/" in link
    assert 'type="password"' in app.test_client().get(link).get_data(as_text=True)
    listed = api.get("/api/v1/invitations", headers=headers).get_json()["invitations"]
    assert [i["id"] for i in listed] == [body["id"]]
    # The same address again, an address with an account, bad input.
    again = api.post(
        "/api/v1/invitations", json={"email": invitee, "role": "learner"}, headers=headers
    )
    assert again.status_code == 409
    taken = api.post(
        "/api/v1/invitations", json={"email": make_user().email, "role": "learner"}, headers=headers
    )
    assert taken.status_code == 409
    for bad in (
        {"email": "nope", "role": "learner"},
        {"email": address(), "role": "boss"},
        {"email": address(), "role": "learner", "program": "no-such-program"},
        {"email": address(), "role": "learner", "cohort_id": 999999},
        {"email": address(), "role": "learner", "extra": 1},
        {"email": "x" * 300 + "@example.com", "role": "learner"},
    ):
        assert api.post("/api/v1/invitations", json=bad, headers=headers).status_code == 400, bad
    assert api.delete("/api/v1/invitations/999999", headers=headers).status_code == 404
    assert api.post("/api/v1/invitations/999999/resend", headers=headers).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 1


def test_a_closed_policy_refuses_invitations(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox: Mailbox
) -> None:
    headers = _admin_headers(app, make_user)
    api = app.test_client()
    earlier = address("before-closing")
    api.post("/api/v1/invitations", json={"email": earlier, "role": "learner"}, headers=headers)
    path = link_path(mailbox, earlier)
    set_policy(app, "closed")
    refused = api.post(
        "/api/v1/invitations", json={"email": address(), "role": "learner"}, headers=headers
    )
    assert refused.status_code == 409 and "closed" in refused.get_json()["detail"]
    closed = app.test_client().get(path)
    assert closed.status_code == 410 and "closed" in flashes(closed)
    admin = make_user("admin")
    auth.login(admin.email)
    assert "Sign-up is closed" in flashes(client.get("/admin/invitations"))


# --------------------------------------------------------------------------- password reset


def test_reset_answers_the_same_and_mails_only_a_known_address(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    known = make_user("learner", address("known"))
    unknown = address("unknown")
    api = app.test_client()
    first = api.post("/api/v1/password-resets", json={"email": known.email})
    second = api.post("/api/v1/password-resets", json={"email": unknown})
    assert first.status_code == second.status_code == 202
    assert first.get_json() == second.get_json()
    message = mailbox.wait_for(known.email)
    assert "30 minutes" in text_of(message)
    # A later message to someone else has arrived: nothing is on its way to the unknown one.
    later = make_user("learner", address("later"))
    api.post("/api/v1/password-resets", json={"email": later.email})
    mailbox.wait_for(later.email)
    assert mailbox.messages(unknown) == []
    assert len(mailbox.messages(known.email)) == 1

    # The page: the same answer too.
    pages = []
    for email in (known.email, address("unknown-page")):
        visitor = app.test_client()
        response = post_form(visitor, "/password/forgot", {"email": email})
        assert response.status_code == 302
        pages.append(flashes(visitor.get(response.headers["Location"])))
    assert pages[0] == pages[1]


def test_reset_is_single_use_and_ends_every_session_and_token(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    user = make_user("learner", address("reset"))
    other_browser, remembered = app.test_client(), app.test_client()
    sign_in(other_browser, user.email, user.password)
    sign_in(remembered, user.email, user.password, remember=True)
    remember = remembered.get_cookie("remember_token")
    assert remember is not None
    remembered.delete_cookie("session")  # the browser was closed: only "keep me signed in"
    headers = factories.bearer_headers(app, user)
    assert signed_in(other_browser) and signed_in(remembered)

    visitor = app.test_client()
    post_form(visitor, "/password/forgot", {"email": user.email})
    path = link_path(mailbox, user.email)
    assert visitor.get(path).status_code == 200
    new = "seven silver lanterns"
    done = post_form(visitor, path, {"password": new, "confirm": new})
    assert done.status_code == 302

    assert not signed_in(other_browser)
    closed_browser = app.test_client()
    closed_browser.set_cookie("remember_token", remember.value)
    assert not signed_in(closed_browser)
    assert app.test_client().get("/api/v1/tokens", headers=headers).status_code == 401
    assert sign_in(app.test_client(), user.email, user.password).status_code == 401
    fresh = app.test_client()
    assert sign_in(fresh, user.email, new).status_code == 302 and signed_in(fresh)
    # Single use.
    assert app.test_client().get(path).status_code == 410
    again = post_form(app.test_client(), path, {"password": "x" * 20, "confirm": "x" * 20})
    assert again.status_code == 410


def test_a_reset_link_lives_thirty_minutes(
    app: Flask, make_user, mailbox: Mailbox, clock: TimeMachineFixture
) -> None:
    user = make_user("learner", address("slow"))
    app.test_client().post("/api/v1/password-resets", json={"email": user.email})
    path = link_path(mailbox, user.email)
    clock.shift(29 * 60)
    assert app.test_client().get(path).status_code == 200
    clock.shift(61)
    late = app.test_client()
    page = late.get(path)
    assert page.status_code == 410 and "expired" in flashes(page)
    new = "seven silver lanterns"
    assert post_form(late, "/password/forgot", {}, action=path).status_code == 410
    assert app.test_client().post(path, data={"password": new, "confirm": new}).status_code in (
        400,
        410,
    )
    assert sign_in(app.test_client(), user.email, user.password).status_code == 302


def test_reset_requests_are_throttled(app: Flask, make_user, mailbox: Mailbox) -> None:
    user = make_user("learner", address("many"))
    api = app.test_client()
    answers = [
        api.post("/api/v1/password-resets", json={"email": user.email}).status_code
        for _ in range(4)
    ]
    assert answers == [202, 202, 202, 429]
    mailbox.wait_for(user.email, count=3)


def test_the_login_page_links_to_reset_and_to_sign_up_when_open(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and 'href="/signup"' not in page
    set_policy(app, "open")
    assert 'href="/signup"' in client.get("/login").get_data(as_text=True)


# --------------------------------------------------------------------------- sign-up


@pytest.mark.parametrize("policy", ["closed", "invitation"])
def test_without_open_sign_up_the_page_says_how_to_get_in(
    app: Flask, client: FlaskClient, policy: str
) -> None:
    if policy == "closed":
        set_policy(app, policy)
    page = client.get("/signup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'type="password"' not in html
    assert ("not taking new accounts" if policy == "closed" else "invitation only") in html
    posted = client.post("/signup", data={"email": address(), "password": PASSWORD})
    assert 'type="password"' not in posted.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_open_sign_up_confirms_the_address_before_sign_in(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    set_policy(app, "open")
    email = address("open")
    response = post_form(
        client,
        "/signup",
        {"name": "Olga Open", "email": email, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302
    answer = flashes(client.get(response.headers["Location"]))
    assert f"we sent a message to {email}" in answer
    user = _user(app, email)
    assert user is not None and not user.email_verified and user.role == "learner"

    refused = sign_in(app.test_client(), email, PASSWORD)
    assert refused.status_code == 403
    assert "not confirmed yet" in flashes(refused)
    assert "Send the confirmation link again" in refused.get_data(as_text=True)
    token_answer = app.test_client().post(
        "/api/v1/tokens", json={"email": email, "password": PASSWORD}
    )
    assert token_answer.status_code == 403

    # Re-sending: a second link; either link confirms (each once).
    resent = post_form(app.test_client(), "/signup/resend", {"email": email})
    assert resent.status_code == 302
    first = link_path(mailbox, email)
    second = link_path(mailbox, email, count=2)
    assert first != second
    confirmed = app.test_client().get(second)
    assert confirmed.status_code == 302
    assert app.test_client().get(second).status_code == 410
    browser = app.test_client()
    assert sign_in(browser, email, PASSWORD).status_code == 302 and signed_in(browser)


def test_sign_up_with_a_taken_address_answers_the_same_and_tells_the_owner(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    set_policy(app, "open")
    owner = make_user("learner", address("owner"))
    fresh = address("newcomer")
    answers = []
    for email in (owner.email, fresh):
        visitor = app.test_client()
        response = post_form(
            visitor,
            "/signup",
            {"name": "Same", "email": email, "password": PASSWORD, "confirm": PASSWORD},
        )
        assert response.status_code == 302
        answers.append(flashes(visitor.get(response.headers["Location"])).replace(email, "@"))
    assert answers[0] == answers[1]
    told = mailbox.wait_for(owner.email)
    assert "already has one" in text_of(told)
    assert "/signup/confirm/" in text_of(mailbox.wait_for(fresh))
    # The owner's password did not change.
    assert sign_in(app.test_client(), owner.email, owner.password).status_code == 302


def test_domain_sign_up_takes_listed_domains_only(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    set_policy(app, "domains", "corp.example\n@partner.example")
    page = client.get("/signup").get_data(as_text=True)
    assert "corp.example, partner.example" in page
    outsider = post_form(
        client,
        "/signup",
        {"name": "Out", "email": address(), "password": PASSWORD, "confirm": PASSWORD},
    )
    assert outsider.status_code == 400 and "corp.example" in flashes(outsider)
    insider = "staff-member@partner.example"
    inside = post_form(
        app.test_client(),
        "/signup",
        {"name": "In", "email": insider, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert inside.status_code == 302
    assert app.test_client().get(link_path(mailbox, insider)).status_code == 302
    assert sign_in(app.test_client(), insider, PASSWORD).status_code == 302


def test_the_policy_page_stores_the_policy(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    auth.login(make_user("admin").email)
    page = client.get("/admin/sign-up").get_data(as_text=True)
    checked = re.findall(r'<input[^>]*\bchecked\b[^>]*value="([a-z]+)"', page)
    assert checked == ["invitation"]  # the default when nothing is stored
    saved = post_form(
        client, "/admin/sign-up", {"policy": "domains", "domains": "a.example, B.example"}
    )
    assert saved.status_code == 302
    again = client.get("/admin/sign-up").get_data(as_text=True)
    assert "a.example\nb.example" in again
    assert "a.example, b.example" in client.get("/signup").get_data(as_text=True)


def test_the_inviters_name_is_inert_in_the_html_message(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    admin = make_user("admin")
    with app.app_context():
        db.session.get(User, admin.id).name = "<i>Evil</i> Admin"
        db.session.commit()
    invitee = address("inert")
    headers = factories.bearer_headers(app, admin)
    app.test_client().post(
        "/api/v1/invitations", json={"email": invitee, "role": "learner"}, headers=headers
    )
    message = mailbox.wait_for(invitee)
    assert "&lt;i&gt;Evil&lt;/i&gt; Admin invites you" in html_of(message)
    assert "<i>Evil</i> Admin invites you" in text_of(message)


def test_re_sending_the_confirmation_answers_the_same_for_any_address(
    app: Flask, make_user
) -> None:
    confirmed = make_user("learner", address("confirmed"))
    answers = []
    for email in (confirmed.email, address("nobody")):
        visitor = app.test_client()
        response = post_form(visitor, "/signup/resend", {"email": email})
        assert response.status_code == 302
        answers.append(flashes(visitor.get(response.headers["Location"])))
    assert answers[0] == answers[1] and "If that address" in answers[0]
