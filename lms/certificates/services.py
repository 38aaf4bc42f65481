"""Certificate operations: issuing on course completion, revocation and reissue, who may see what, the stored
PDFs and the Open Badges documents. Flush, never commit: the view or command owns the commit.

Importing this module subscribes `issue` to learning's `course_completed` signal; the blueprint imports it, so
it is connected whenever an app is created.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from pathlib import Path

import segno
from flask import abort, current_app, g, render_template
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from lms import pdf
from lms.certificates import badges, sharing, validity
from lms.certificates.models import Certificate
from lms.content.models import Competency, Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.identity.signals import name_changed
from lms.learning.models import Enrolment
from lms.learning.signals import course_completed
from lms.tenancy import get_or_404, has_role
from lms.tracking.services import record
from lms.urls import external_url

FONT_DIR = pdf.static_path("fonts")
PDF_TEMPLATE = "certificates/pdf/certificate.html"
STORE = "certificates"  # folder under STORAGE_DIR


class CertificateError(ValueError):
    """An operation that doesn't apply to this certificate (e.g. revoking one already revoked)."""


def _new_code() -> str:
    # 24 random bytes: 192 bits, URL-safe, 32 characters.
    return secrets.token_urlsafe(24)


# --- issuing -----------------------------------------------------------------------------------------------

def competency_names(course_id: int) -> list[str]:
    """Return the names of the competencies the course's active modules cover, in course order (two queries)."""
    rows = db.session.execute(
        select(Module.competencies).where(Module.course_id == course_id, Module.is_archived.is_(False))
        .order_by(Module.position)
    ).scalars()
    slugs = list(dict.fromkeys(slug for comps in rows for slug in (comps or [])))
    if not slugs:
        return []
    names = dict(db.session.execute(select(Competency.slug, Competency.name).where(Competency.slug.in_(slugs))).all())
    return [names.get(slug, slug) for slug in slugs]


def _new_certificate(enrolment: Enrolment, user: User, course: Course, issued_at: datetime) -> Certificate:
    salt = secrets.token_hex(16)
    return Certificate(
        code=_new_code(),
        enrolment_id=enrolment.id,
        current_enrolment_id=enrolment.id,
        user_id=user.id,
        course_id=course.id,
        organization_id=enrolment.organization_id,
        cohort_id=enrolment.cohort_id,
        holder_name=user.name,
        course_title=course.title,
        minutes=course.minutes or 0,
        competencies=competency_names(course.id),
        recipient_salt=salt,
        recipient_identity=badges.hashed_identity(user.email, salt),
        issued_at=issued_at,
        expires_at=validity.expiry(issued_at, course.validity_months),
    )


def current_for(enrolment_id: int) -> Certificate | None:
    """Return the enrolment's current certificate (not replaced), or None."""
    return db.session.scalar(select(Certificate).where(Certificate.current_enrolment_id == enrolment_id))


def issue(enrolment: Enrolment, user: User, *, now: datetime | None = None) -> Certificate | None:
    """Issue the certificate for a completed enrolment, once: returns the existing one if there is one, None
    when the course awards no certificate. Records "earned". Raises CertificateError if the enrolment is not
    completed or belongs to someone else."""
    if enrolment.completed_at is None:
        raise CertificateError("the enrolment is not completed")
    if enrolment.user_id != user.id:
        raise CertificateError("the enrolment belongs to someone else")
    course = enrolment.course
    if not course.certificate_issue:
        return None
    existing = current_for(enrolment.id)
    if existing is not None:
        return existing
    certificate = _new_certificate(enrolment, user, course, now or utcnow())
    db.session.add(certificate)
    db.session.flush()
    _record_earned(user, certificate, course.slug)
    return certificate


def _record_earned(user: User, certificate: Certificate, course_slug: str, **extra) -> None:
    result = {"expires": validity.iso8601(certificate.expires_at) if certificate.expires_at else None, **extra}
    record(user, "earned", ("certificate", certificate.id, certificate.course_title), result,
           organization_id=certificate.organization_id, cohort_id=certificate.cohort_id, course_slug=course_slug)


def _on_course_completed(enrolment: Enrolment, user: User | None = None, **_) -> None:
    issue(enrolment, user or db.session.get(User, enrolment.user_id))


course_completed.connect(_on_course_completed)


def issue_missing() -> list[Certificate]:
    """Issue certificates for completed enrolments that should have one and don't (e.g. completed before a
    course started awarding them). Returns the new certificates."""
    rows = db.session.execute(
        select(Enrolment, User).join(User, User.id == Enrolment.user_id).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.completed_at.is_not(None), Course.certificate_issue.is_(True),
               ~exists().where(Certificate.enrolment_id == Enrolment.id))
        .order_by(Enrolment.completed_at)
    ).all()
    return [c for enrolment, user in rows if (c := issue(enrolment, user, now=enrolment.completed_at))]


def revoke(certificate: Certificate, admin: User, reason: str, *, now: datetime | None = None) -> None:
    """Revoke a certificate with a published reason; records "revoked". Raises CertificateError if it is
    already revoked or replaced."""
    if certificate.revoked_at is not None:
        raise CertificateError("this certificate is already revoked")
    reason = reason.strip()
    if not reason:
        raise CertificateError("give a reason: it is shown on the verification page")
    certificate.revoked_at = now or utcnow()
    certificate.revocation_reason = reason
    certificate.revoked_by_id = admin.id
    db.session.flush()
    record(admin, "revoked", ("certificate", certificate.id, certificate.course_title), {"reason": reason},
           organization_id=certificate.organization_id, cohort_id=certificate.cohort_id)


def reissue(certificate: Certificate, admin: User, reason: str, *, now: datetime | None = None) -> Certificate:
    """Replace a certificate with a new one (new code; the holder's current name, the course's current title,
    hours and competencies; the original issue date). The old one becomes "replaced": its code shows that on
    /verify and its badge answers 410 Gone. Records "revoked" for the old and "earned" for the new one.
    Raises CertificateError for a certificate already replaced."""
    if certificate.replaced_by_id is not None or certificate.current_enrolment_id is None:
        raise CertificateError("this certificate has already been replaced")
    reason = reason.strip()
    if not reason:
        raise CertificateError("give a reason for reissuing")
    now = now or utcnow()
    enrolment = db.session.get(Enrolment, certificate.enrolment_id)
    holder = db.session.get(User, certificate.user_id)
    certificate.current_enrolment_id = None
    db.session.flush()  # free the enrolment's "current" slot before the new row takes it
    new = _new_certificate(enrolment, holder, enrolment.course, certificate.issued_at)
    db.session.add(new)
    db.session.flush()
    if certificate.revoked_at is None:
        certificate.revoked_at = now
        certificate.revocation_reason = f"Replaced by a reissued certificate: {reason}"
        certificate.revoked_by_id = admin.id
    certificate.replaced_by_id = new.id
    db.session.flush()
    record(admin, "revoked", ("certificate", certificate.id, certificate.course_title),
           {"reason": reason, "replaced_by": new.id}, organization_id=certificate.organization_id,
           cohort_id=certificate.cohort_id)
    _record_earned(holder, new, enrolment.course.slug, reissue_of=certificate.id)
    return new


def refresh_for_name_change(user: User) -> list[Certificate]:
    """Print the user's current name on their current certificates. Their PDFs are rendered again on the next
    download (the stored file is keyed by what it shows, so a stale one is never served). Call it after a
    profile's name changes; returns the certificates whose name changed."""
    changed = []
    for certificate in db.session.scalars(select(Certificate).where(
            Certificate.user_id == user.id, Certificate.replaced_by_id.is_(None))):
        if certificate.holder_name != user.name:
            certificate.holder_name = user.name
            changed.append(certificate)
    db.session.flush()
    return changed


# --- finding and showing ------------------------------------------------------------------------------------

def by_code(code: str) -> Certificate | None:
    """Return the certificate with this verification code, or None."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def by_code_or_404(code: str) -> Certificate:
    """Return the certificate with this code, or abort with 404."""
    certificate = by_code(code)
    if certificate is None:
        abort(404)
    return certificate


def status_of(certificate: Certificate, now: datetime | None = None) -> validity.Status:
    """Return the certificate's state (valid, expired, revoked or replaced) now."""
    return validity.status(now or utcnow(), expires_at=certificate.expires_at, revoked_at=certificate.revoked_at,
                           replaced=certificate.replaced_by_id is not None)


@dataclass(frozen=True)
class Card:
    """What the pages show about one certificate."""

    certificate: Certificate
    status: validity.Status
    issued: date
    expires: date | None
    hours: str
    verify_url: str

    @property
    def code(self) -> str:
        return self.certificate.code

    @property
    def revoked_on(self) -> date | None:
        since = self.status.since if self.status.state in ("revoked", "replaced") else None
        return validity.local_date(since, self.certificate.organization.timezone) if since else None

    @property
    def linkedin_url(self) -> str:
        return sharing.linkedin_url(
            name=self.certificate.course_title, organization=current_app.config["SITE_NAME"], issued=self.issued,
            expires=self.expires, url=self.verify_url, code=self.certificate.code)


def card(certificate: Certificate, now: datetime | None = None) -> Card:
    """Return the display values of a certificate; dates are in its organisation's time zone."""
    zone = certificate.organization.timezone
    return Card(
        certificate=certificate,
        status=status_of(certificate, now),
        issued=validity.local_date(certificate.issued_at, zone),
        expires=validity.local_date(certificate.expires_at, zone) if certificate.expires_at else None,
        hours=validity.hours(certificate.minutes),
        verify_url=external_url("certificates.verify", code=certificate.code),
    )


def mine(user: User) -> list[Card]:
    """Return the user's certificates in every organisation, newest first (replaced ones left out)."""
    rows = db.session.scalars(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.replaced_by_id.is_(None)).order_by(Certificate.issued_at.desc()))
    now = utcnow()
    return [card(c, now) for c in rows]


def _coached_cohort_ids(user: User, org_id: int):
    return select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id).where(
        CohortMember.user_id == user.id, CohortMember.role == "coach", Cohort.organization_id == org_id)


def cohorts_for(user: User, org: Organization | None) -> list[Cohort]:
    """Return the cohorts whose certificates the user may see in `org`: all of them for managers (and platform
    admins), the ones they coach for coaches, none for others."""
    if org is None:
        return []
    query = select(Cohort).where(Cohort.organization_id == org.id, Cohort.is_archived.is_(False))
    if has_role("manager"):
        pass
    elif has_role("coach"):
        query = query.where(Cohort.id.in_(_coached_cohort_ids(user, org.id)))
    else:
        return []
    return list(db.session.scalars(query.order_by(Cohort.name)))


def visible_cohort_or_404(cohort_id: int, user: User) -> Cohort:
    """Return the current organisation's cohort if the user manages the organisation or coaches the cohort;
    404 otherwise (another organisation's, or a cohort a coach doesn't coach)."""
    cohort = get_or_404(Cohort, cohort_id)
    if not has_role("manager"):
        coaches = db.session.scalar(select(exists().where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id, CohortMember.role == "coach")))
        if not coaches:
            abort(404)
    return cohort


def cohort_certificates(cohort: Cohort) -> list[Certificate]:
    """Return the current certificates of the cohort: issued in it, or held by its learners in its
    organisation; by holder name (one query)."""
    learners = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id, CohortMember.role == "learner")
    return list(db.session.scalars(select(Certificate).where(
        Certificate.organization_id == cohort.organization_id, Certificate.replaced_by_id.is_(None),
        or_(Certificate.cohort_id == cohort.id, Certificate.user_id.in_(learners)),
    ).order_by(Certificate.holder_name, Certificate.course_title)))


def downloadable_or_404(code: str, user: User) -> Certificate:
    """Return the certificate if the signed-in `user` may download its PDF: the holder, a manager of its
    organisation (the current one), a coach of a cohort the holder learns in, or a platform admin. Revoked and
    replaced certificates are not handed out (platform admins excepted). Anything else: 404."""
    certificate = by_code_or_404(code)
    if user.is_platform_admin:
        return certificate
    if certificate.revoked_at is not None:
        abort(404)
    if certificate.user_id == user.id:
        return certificate
    if _current_org_id() == certificate.organization_id:
        if has_role("manager"):
            return certificate
        if has_role("coach") and _coaches_holder(user, certificate):
            return certificate
    abort(404)


def _current_org_id() -> int | None:
    org = getattr(g, "org", None)
    return org.id if org is not None else None


def _coaches_holder(user: User, certificate: Certificate) -> bool:
    coach, learner = aliased(CohortMember), aliased(CohortMember)
    return bool(db.session.scalar(select(exists().where(
        coach.user_id == user.id, coach.role == "coach", coach.cohort_id.in_(
            select(Cohort.id).where(Cohort.organization_id == certificate.organization_id)),
        or_(coach.cohort_id == certificate.cohort_id,
            exists().where(and_(learner.cohort_id == coach.cohort_id, learner.user_id == certificate.user_id,
                                learner.role == "learner")))))))


def search(query: str, limit: int = 50) -> list[tuple[Certificate, User]]:
    """Platform admins: certificates whose code, holder name or email contains `query` (newest first)."""
    query = query.strip()
    if not query:
        return []
    like = f"%{query.lower()}%"
    rows = db.session.execute(
        select(Certificate, User).join(User, User.id == Certificate.user_id)
        .where(or_(Certificate.code == query, func.lower(Certificate.holder_name).like(like),
                   User.email.like(like)))
        .order_by(Certificate.issued_at.desc()).limit(limit)
    ).all()
    return [(certificate, user) for certificate, user in rows]


# --- PDFs ---------------------------------------------------------------------------------------------------

def _store_dir() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / STORE


def _logo(org: Organization) -> str | None:
    """Return the organisation's logo as a /static/ URL if it names a file under static/, else None."""
    rel = (org.logo_path or "").strip().lstrip("/").removeprefix("static/")
    if not rel:
        return None
    path = pdf.static_path(rel).resolve()
    if not path.is_file() or not path.is_relative_to(pdf.STATIC):
        return None
    return "/static/" + path.relative_to(pdf.STATIC).as_posix()


def _pdf_context(certificate: Certificate) -> dict:
    org = certificate.organization
    shown = card(certificate)
    return {
        "site_name": current_app.config["SITE_NAME"],
        "holder_name": certificate.holder_name,
        "course_title": certificate.course_title,
        "hours": shown.hours,
        "competencies": list(certificate.competencies or []),
        "issued": validity.long_date(shown.issued),
        "expires": validity.long_date(shown.expires) if shown.expires else None,
        "verify_url": shown.verify_url,
        "code": certificate.code,
        "organization": org.name if org.kind == "client" else None,
        "org_logo": _logo(org),
    }


_template_digests: dict[tuple[str, int, int], str] = {}


def _template_digest() -> str:
    """SHA-256 of the PDF template's source, re-read only when the file changes (one stat per call)."""
    template = current_app.jinja_env.get_template(PDF_TEMPLATE)
    if template.filename is None:  # not loaded from a file: hash the source each time
        env = current_app.jinja_env
        return hashlib.sha256(env.loader.get_source(env, PDF_TEMPLATE)[0].encode()).hexdigest()
    stat = os.stat(template.filename)
    key = (template.filename, stat.st_mtime_ns, stat.st_size)
    if key not in _template_digests:
        _template_digests[key] = hashlib.sha256(Path(template.filename).read_bytes()).hexdigest()
    return _template_digests[key]


def _fingerprint(context: dict) -> str:
    payload = json.dumps(context, sort_keys=True, ensure_ascii=False) + _template_digest()
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _path_for(certificate: Certificate, context: dict) -> Path:
    return _store_dir() / certificate.code[:2] / f"{certificate.code}-{_fingerprint(context)}.pdf"


def stored_pdf(certificate: Certificate) -> Path | None:
    """Return the stored PDF showing the certificate as it is now, or None if it has not been rendered."""
    path = _path_for(certificate, _pdf_context(certificate))
    return path if path.is_file() else None


def qr_data_uri(url: str) -> str:
    """Return a QR code for `url` as a PNG data: URI (error correction M, no quiet zone: the page's margin is
    one). PNG rather than SVG: WeasyPrint draws an SVG QR code path by path, several times slower."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=10, border=0, dark="#111827")


def render_certificate(certificate: Certificate, context: dict | None = None) -> bytes:
    """Render the certificate's PDF (A4 landscape) and return its bytes; stores nothing."""
    context = context or _pdf_context(certificate)
    html = render_template(PDF_TEMPLATE, qr=qr_data_uri(context["verify_url"]), **context)
    return pdf.render_pdf(html, title=f"{context['course_title']}: certificate for {context['holder_name']}",
                          author=context["site_name"])


def pdf_file(certificate: Certificate) -> Path:
    """Return the path of the certificate's stored PDF, rendering and storing it first if needed (once: later
    calls find the file). Older versions (before a name change) are removed."""
    context = _pdf_context(certificate)
    path = _path_for(certificate, context)
    if path.is_file():
        return path
    data = render_certificate(certificate, context)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)  # atomic: a concurrent download sees the whole file or none
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(f"{certificate.code}-*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def pdf_bytes(certificate: Certificate) -> io.BytesIO:
    """Return the stored PDF (rendered first if needed) in memory, ready to send: a few dozen kilobytes, and
    no open file left for the server to close."""
    return io.BytesIO(pdf_file(certificate).read_bytes())


def missing_pdfs(certificates: Iterable[Certificate]) -> list[Certificate]:
    """Return those of `certificates` whose current PDF has not been rendered yet."""
    return [c for c in certificates if stored_pdf(c) is None]


def render_missing(certificate_ids: Sequence[int]) -> int:
    """Render and store the PDFs of these certificates that are not stored yet; returns how many were rendered."""
    if not certificate_ids:
        return 0
    rows = db.session.scalars(select(Certificate).where(Certificate.id.in_(list(certificate_ids))))
    done = 0
    for certificate in rows:
        if stored_pdf(certificate) is None:
            pdf_file(certificate)
            done += 1
    return done


def download_name(certificate: Certificate) -> str:
    """Return the file name a downloaded PDF is saved as."""
    return sharing.file_name(certificate.holder_name, certificate.course_title)


def zip_of(certificates: Sequence[Certificate]) -> io.BytesIO:
    """Return a ZIP of the certificates' stored PDFs (rendering any missing), one file per certificate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            name = sharing.file_name(certificate.holder_name, certificate.course_title, certificate.code[:8])
            archive.write(pdf_file(certificate), arcname=name)
    buffer.seek(0)
    return buffer


def zip_members(cohort: Cohort) -> list[Certificate]:
    """Return the cohort's certificates that go into its ZIP: current ones that are not revoked."""
    return [c for c in cohort_certificates(cohort) if c.revoked_at is None]


# --- Open Badges --------------------------------------------------------------------------------------------

def issuer_doc() -> dict:
    """Return the Issuer Profile document."""
    cfg = current_app.config
    email = cfg.get("BADGE_ISSUER_EMAIL") or parseaddr(cfg["MAIL_SENDER"])[1]
    return badges.issuer(url=external_url("certificates.badge_issuer"), name=cfg["SITE_NAME"],
                         homepage=external_url("learning.index"), email=email,
                         image_url=external_url("static", filename="img/logo.svg"))


def badge_course_or_404(slug: str) -> Course:
    """Return the course with this slug if its BadgeClass is published: a public course that awards
    certificates, or any course that has issued one (in-house courses stay unlisted until then). 404 otherwise."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    if not (course.certificate_issue and course.audience == "public") and not db.session.scalar(
            select(exists().where(Certificate.course_id == course.id))):
        abort(404)
    return course


def _criteria(course: Course) -> str:
    rules = ["Complete every module of the course", f"score at least {course.pass_mark}% in each knowledge check"]
    if course.required_exercises:
        rules.append("pass the required hands-on exercises on your own target accounts")
    return ", ".join(rules[:-1]) + " and " + rules[-1] + "."


def badge_class_doc(course: Course) -> dict:
    """Return the course's BadgeClass document."""
    return badges.badge_class(
        url=external_url("certificates.badge_class", slug=course.slug), name=course.title,
        description=course.summary or f"Completed {course.title}.",
        image_url=external_url("certificates.badge_class_image", slug=course.slug), criteria=_criteria(course),
        issuer_url=external_url("certificates.badge_issuer"), tags=competency_names(course.id))


def badge_class_svg(course: Course) -> str:
    """Return the course's badge image (SVG, not baked)."""
    return badges.badge_svg(course.title, current_app.config["SITE_NAME"])


def _course_slug(certificate: Certificate) -> str:
    return db.session.scalar(select(Course.slug).where(Course.id == certificate.course_id))


def assertion_doc(certificate: Certificate) -> tuple[dict, int]:
    """Return the hosted Assertion and its HTTP status: 200, or 410 Gone with `revoked` and the reason when
    revoked or replaced (Open Badges 2.0, "Revoking Hosted Assertions")."""
    slug = _course_slug(certificate)
    revoked = certificate.revoked_at is not None
    doc = badges.assertion(badges.AssertionData(
        url=external_url("certificates.badge_assertion", code=certificate.code),
        badge_url=external_url("certificates.badge_class", slug=slug),
        image_url=external_url("certificates.badge_assertion_image", code=certificate.code),
        identity=certificate.recipient_identity, salt=certificate.recipient_salt,
        issued_on=validity.iso8601(certificate.issued_at),
        expires=validity.iso8601(certificate.expires_at) if certificate.expires_at else None,
        revoked=revoked, revocation_reason=certificate.revocation_reason))
    return doc, 410 if revoked else 200


def baked_svg(certificate: Certificate) -> tuple[str, int]:
    """Return the badge image baked with the hosted assertion (URL and JSON), or 410 if it is revoked."""
    doc, status = assertion_doc(certificate)
    if status != 200:
        return "", status
    course = db.session.get(Course, certificate.course_id)
    return badges.bake_svg(badge_class_svg(course), doc["id"], doc), 200


def _on_name_changed(user: User, **_) -> None:
    refresh_for_name_change(user)


name_changed.connect(_on_name_changed)
