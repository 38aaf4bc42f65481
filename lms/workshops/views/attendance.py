"""Workshop pages: attendance (routes on lms.workshops.views.blueprint.bp)."""
