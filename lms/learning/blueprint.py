"""The learning package's blueprint, shared by the learner pages (views.py) and the managers' assignment pages
(assignment_views.py), so neither module imports the other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("learning", __name__)
