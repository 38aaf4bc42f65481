"""The LRS: about (routes on lms.tracking.lrs_server.blueprint.bp)."""
