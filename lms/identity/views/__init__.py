"""Identity's pages: `bp` is registered by the app; its routes live in account (sign-in, profile) and admin."""

from lms.identity.views import account, admin  # noqa: F401  (their routes)
from lms.identity.views.blueprint import bp

__all__ = ["bp"]
