"""Sign in and fetch CSRF tokens through the test client, the way a browser does."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.support import factories

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Auth:
    """Sign in and obtain CSRF tokens the way a browser does."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self, page: str = "/login") -> str:
        """The CSRF token from a rendered page's meta tag."""
        html = self.client.get(page, follow_redirects=True).get_data(as_text=True)
        match = CSRF_META.search(html)
        assert match, f"no csrf meta on {page}"
        return match.group(1)

    def login(self, email: str, password: str = factories.PASSWORD):
        """POST the sign-in form with its CSRF token."""
        token = self.csrf("/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        """POST sign-out with a CSRF token."""
        return self.client.post("/logout", data={"csrf_token": self.csrf("/")})

    def json_headers(self) -> dict[str, str]:
        """Headers for a cookie-authenticated JSON write."""
        return {"X-CSRFToken": self.csrf("/"), "Content-Type": "application/json"}


def sign_in(client: FlaskClient, email: str, password: str, *, remember: bool = False):
    """POST the sign-in form (optionally "keep me signed in") with the page's CSRF token."""
    html = client.get("/login").get_data(as_text=True)
    data = {"email": email, "password": password, "csrf_token": CSRF_META.search(html)[1]}
    if remember:
        data["remember"] = "1"
    return client.post("/login", data=data)


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's session is signed in (the home page answers, no redirect)."""
    return client.get("/").status_code == 200
