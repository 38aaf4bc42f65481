"""The embedded xAPI 1.0.3 LRS at /xapi, one per organisation: About, Statements, State, Activity Profile, Agent
Profile, Activities and Agents. Each module adds its resources to the one blueprint."""

from lms.tracking.lrs_server import (  # noqa: F401 - each registers its resources
    about,
    activities,
    agents,
    alternate,
    documents,
    statements,
)
from lms.tracking.lrs_server.blueprint import bp

__all__ = ["bp"]
