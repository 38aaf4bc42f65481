"""The LRS: alternate (routes on lms.tracking.lrs_server.blueprint.bp)."""
