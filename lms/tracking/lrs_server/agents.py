"""The LRS: agents (routes on lms.tracking.lrs_server.blueprint.bp)."""
