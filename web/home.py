"""GET /: a small page saying what this server is, for whoever opens the bare address
(an admin checking the deployment, a curious visitor). It shows no settings and no secrets."""

from __future__ import annotations

from flask import Blueprint, render_template


def create_home_blueprint() -> Blueprint:
    """The landing page at /, for anyone who opens the server's address."""
    home = Blueprint("home", __name__, template_folder="templates")

    @home.get("/")
    def index():
        """Say what meetbridge is and where its real entry points are."""
        return render_template("home.html")

    return home
