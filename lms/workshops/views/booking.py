"""Workshop pages: booking (routes on lms.workshops.views.blueprint.bp)."""
