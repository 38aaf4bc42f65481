"""Workshop pages: calendar (routes on lms.workshops.views.blueprint.bp)."""
