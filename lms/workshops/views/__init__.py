"""Workshop pages: the public catalogue and session pages, booking, session admin, the sign-in sheet, and the
"bring your team" enquiry. Each module adds its routes to the one blueprint."""

from lms.workshops.views import (  # noqa: F401 - each registers its routes or template globals
    admin,
    attendance,
    booking,
    calendar,
    enquiry,
    panels,
    public,
)
from lms.workshops.views.blueprint import bp

__all__ = ["bp"]
