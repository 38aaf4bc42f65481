"""What can go wrong with an API request, as one exception the blueprint turns into an `Error` answer."""

from __future__ import annotations

from lms.api.schemas import Error, Problem


class ApiError(Exception):
    """An answer other than success: the HTTP status, a stable code, a sentence, and what exactly was wrong."""

    def __init__(self, status: int, code: str, message: str, details: list[Problem] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details or [], headers or {}

    def body(self) -> Error:
        """Return the error as the documented `Error` model."""
        return Error(status=self.status, error=self.code, message=self.message, details=self.details)


def from_validation(errors: list[dict]) -> ApiError:
    """Return the 422 for pydantic's errors (each with `loc` and `msg`) about the query string."""
    found: dict[str, str] = {}
    for e in errors:  # a filter that may be absent is a union: pydantic reports each branch; the first one says it
        found.setdefault(f"query.{e['loc'][0]}" if e.get("loc") else "query", e.get("msg", ""))
    details = [Problem(location=location, message=message) for location, message in found.items()]
    names = ", ".join(dict.fromkeys(d.location.removeprefix("query.") for d in details)) or "the query"
    return ApiError(422, "invalid_parameter", f"Check these parameters: {names}.", details)


def unknown_parameters(names: list[str], known: list[str]) -> ApiError:
    """Return the 400 for query parameters the operation does not take (a typo would otherwise filter nothing)."""
    details = [Problem(location=f"query.{n}", message="not a parameter of this operation") for n in names]
    return ApiError(400, "unknown_parameter", f"Unknown parameter{'s' if len(names) != 1 else ''}: "
                    f"{', '.join(names)}. This operation takes: {', '.join(known)}.", details)
