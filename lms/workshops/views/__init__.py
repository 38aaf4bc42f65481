"""Workshop pages: the public catalogue and session pages, booking, session admin, the sign-in sheet, and the
"bring your team" enquiry. Each module adds its routes to the one blueprint."""

from lms.workshops.views import admin, attendance, booking, calendar, enquiry, public  # noqa: F401 - they register routes
from lms.workshops.views.blueprint import bp

__all__ = ["bp"]
