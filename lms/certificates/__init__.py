"""Certificates: issuing on course completion, stored PDFs, public verification and Open Badges 2.0."""
