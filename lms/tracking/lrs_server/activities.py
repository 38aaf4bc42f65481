"""The LRS: activities (routes on lms.tracking.lrs_server.blueprint.bp)."""
