"""Workshop pages: public (routes on lms.workshops.views.blueprint.bp)."""
