"""Workshop pages: admin (routes on lms.workshops.views.blueprint.bp)."""
