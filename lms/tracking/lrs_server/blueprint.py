"""The LRS blueprint, at /xapi (its resources live in the modules beside this one)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("xapi", __name__, url_prefix="/xapi")
