"""Workshop pages: enquiry (routes on lms.workshops.views.blueprint.bp)."""
