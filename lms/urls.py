"""Absolute links that also work outside a request: emails sent and statements forwarded from cron."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


class SiteURLMissing(RuntimeError):
    """No way to know the site's address: set LMS_SITE_URL (or SERVER_NAME)."""


def site_url() -> str:
    """Return the site's absolute base URL without a trailing slash.

    Uses LMS_SITE_URL when set (stable links whatever host a request came in on), else the current request's
    root, else SERVER_NAME. Raises SiteURLMissing when none is available (a cron job with no LMS_SITE_URL).
    """
    cfg = current_app.config
    if cfg.get("SITE_URL"):
        return cfg["SITE_URL"].rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    if cfg.get("SERVER_NAME"):
        root = (cfg.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{cfg['PREFERRED_URL_SCHEME']}://{cfg['SERVER_NAME']}{root}"
    raise SiteURLMissing("Set LMS_SITE_URL (e.g. https://academy.example.com) so links can be built outside a "
                         "request.")


def external_url(endpoint: str, **values) -> str:
    """Return an absolute URL for `endpoint`, inside or outside a request. Raises SiteURLMissing (see site_url)."""
    cfg = current_app.config
    if not cfg.get("SITE_URL") and (has_request_context() or cfg.get("SERVER_NAME")):
        return url_for(endpoint, _external=True, **values)
    return url_at(site_url(), endpoint, **values)


def url_at(site: str, endpoint: str, **values) -> str:
    """Return the absolute URL of `endpoint` on the site whose base URL is `site` (as site_url gives it, kept by
    work that runs later, elsewhere: a job on a worker has no request to take it from)."""
    return site + current_app.url_map.bind("localhost").build(endpoint, values)
