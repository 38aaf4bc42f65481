"""Password hashing with Argon2id (argon2-cffi) and the password rules shown on forms."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()


def use_fast_hashing_for_tests() -> None:
    """Swap in minimal Argon2 parameters: only the test suite calls this, to keep thousands of hashes quick."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def hash_password(password: str) -> str:
    """Return an Argon2id hash of `password` (salted; parameters stored in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return True if `password` matches `password_hash`; False for no hash or a malformed one."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why `password` is not acceptable, or None. Length over complexity rules (NIST 800-63B)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    lowered = password.lower()
    if email and lowered == email.lower():
        return "Don't use your email address as your password."
    if name and lowered.replace(" ", "") == name.lower().replace(" ", ""):
        return "Don't use your name as your password."
    if len(set(password)) < 4:
        return "That password is too easy to guess: use a few different characters."
    return None
