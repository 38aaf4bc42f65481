"""The LRS: statements (routes on lms.tracking.lrs_server.blueprint.bp)."""
