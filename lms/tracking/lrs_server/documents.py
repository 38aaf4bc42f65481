"""The LRS: documents (routes on lms.tracking.lrs_server.blueprint.bp)."""
