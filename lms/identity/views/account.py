"""Sign-in, sign-up, password reset, invitations, your profile and your sessions."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from lms.database import once_more_after_a_clash
from lms.extensions import db, limiter
from lms.forms import EmptyForm
from lms.identity import services, sessions
from lms.identity.forms import (
    AcceptInvitationForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from lms.identity.signals import name_changed
from lms.identity.views.blueprint import bp
from lms.mail import send_template
from lms.tracking.services import record


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


def _email_and_address_key() -> str:
    return f"login:{request.remote_addr}:" + (request.form.get("email") or "").strip().lower()


def _email_limit() -> str:
    return current_app.config["LOGIN_EMAIL_RATE_LIMIT"]


KNOWN_DEVICE_COOKIE = "known_device"


def _known_device() -> bool:
    """True when this browser signed in as the email being tried before (a signed cookie it was given then)."""
    email = (request.form.get("email") or "").strip().lower()
    return bool(email) and sessions.known_device(request.cookies.get(KNOWN_DEVICE_COOKIE), email)


def _sign_in(user, *, remember: bool = False, org_id: int | None = None) -> None:
    """Start a server-side session for `user` in this browser and sign them in."""
    sessions.start_session(user, request.user_agent.string)
    login_user(user, remember=remember)
    session.permanent = True
    session["org_id"] = org_id
    services.note_login(user, org_id)


def _local_path(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects: "//host", "/\\host" and
    anything with a scheme, host or control character are refused)."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable() and not urlsplit(target).netloc and not urlsplit(target).scheme):
        return target
    return None


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a local path, else the dashboard (no open redirects)."""
    return _local_path(target) or url_for("learning.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_and_address_key)
@limiter.limit(_email_limit, methods=["POST"], key_func=_email_key, exempt_when=_known_device)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.EmailUnconfirmed as exc:
            _send_confirmation(exc.user, _local_path(request.args.get("next")))
            db.session.commit()
            form.email.errors.append("Confirm your email address first: we've sent a new link to your inbox.")
            return render_template("identity/login.html", form=form)
        if user is None:
            form.password.errors.append("That email and password don't match. Check them, or reset your password.")
        else:
            _sign_in(user, remember=form.remember.data,
                     org_id=min((m.organization_id for m in user.memberships), default=None))
            db.session.commit()
            response = redirect(_safe_next(request.args.get("next")))
            response.set_cookie(KNOWN_DEVICE_COOKIE, sessions.device_cookie(user.email), max_age=365 * 86400,
                                httponly=True, samesite="Lax", secure=request.is_secure)
            return response
    return render_template("identity/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out."""
    if EmptyForm().validate_on_submit():
        record(current_user.actor, "logged-out", ("user", current_user.id, current_user.name),
               organization_id=g.org.id if g.org else None)
        sessions.end_session(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You've signed out.", "info")
    return redirect(url_for("identity.login"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    """Create an account as a public-course attendee."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.sign_up(
                form.email.data, form.name.data, form.password.data, form.job_function.data,
                current_app.config["PUBLIC_ORG_SLUG"],
            )
        except services.IdentityError as exc:
            form.email.errors.append(str(exc))
        else:
            # The same answer whether or not the email had an account: each case sends one email.
            if user is None:
                send_template(form.email.data.strip(), "You already have an ABM Academy account",
                              "identity/email/already_registered", login_url=url_for("identity.login", _external=True),
                              reset_url=url_for("identity.password_forgot", _external=True))
            else:
                _send_confirmation(user, _local_path(request.args.get("next")))
            db.session.commit()
            return render_template("identity/check_inbox.html", email=form.email.data.strip())
    return render_template("identity/signup.html", form=form)


def _send_confirmation(user, next_path: str | None = None) -> None:
    """Email the confirmation link; `next_path` (a local path, e.g. the session being booked) rides along so the
    link lands the new attendee back there."""
    token = services.issue_reset_token(user, current_app.config["PASSWORD_RESET_HOURS"], purpose="confirm")
    send_template(user.email, "Confirm your email for ABM Academy", "identity/email/confirm", user=user,
                  url=url_for("identity.confirm", token=token, next=next_path, _external=True))


@bp.get("/signup/confirm/<token>")
def confirm(token: str):
    """Follow the emailed link: the address is confirmed and the new attendee is signed in."""
    row = services.reset_token_user(token, purpose="confirm")
    if row is None:
        return render_template("identity/token_invalid.html", what="confirmation link"), 404
    user = services.confirm_email(row)
    _sign_in(user, org_id=min((m.organization_id for m in user.memberships), default=None))
    db.session.commit()
    back = _local_path(request.args.get("next"))
    flash("Welcome to ABM Academy. " + ("You're signed in: carry on where you left off." if back
                                       else "Start with a course below."), "success")
    return redirect(back or url_for("learning.dashboard"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def password_forgot():
    """Email a reset link; the answer is the same whether or not the email is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user and user.is_active_user:
            token = services.issue_reset_token(user, current_app.config["PASSWORD_RESET_HOURS"])
            db.session.commit()
            send_template(
                user.email, "Reset your ABM Academy password", "identity/email/reset",
                user=user, url=url_for("identity.password_reset", token=token, _external=True),
                hours=current_app.config["PASSWORD_RESET_HOURS"],
            )
        else:  # the same work either way: one email, so the answer's timing tells nothing
            send_template(form.email.data.strip(), "Your ABM Academy password reset request",
                          "identity/email/reset_unknown", signup_url=url_for("identity.signup", _external=True))
        flash("If that email has an account, a reset link is on its way. Check your inbox.", "info")
        return redirect(url_for("identity.login"))
    return render_template("identity/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    """Choose a new password with a single-use, expiring token."""
    row = services.reset_token_user(token)
    if row is None:
        return render_template("identity/token_invalid.html", what="password reset link"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(row, form.password.data)
        db.session.commit()
        flash("Your password has been changed. Sign in with the new one.", "success")
        return redirect(url_for("identity.login"))
    return render_template("identity/reset.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@once_more_after_a_clash
def invitation_accept(token: str):
    """Accept an invitation: set a password (new users) and join the organisation and cohort."""
    invitation = services.invitation_by_token(token)
    if invitation is not None and invitation.state == "accepted":
        # Opened again later, or the second request of a double click on "Join", run once more after the account the
        # first one made clashed with its own: either way the person has joined and only needs to sign in.
        flash(f"You've already accepted this invitation to {invitation.organization.name}. Sign in to continue.",
              "info")
        return redirect(url_for("identity.login"))
    if invitation is None or invitation.state != "pending":
        return render_template("identity/token_invalid.html", what="invitation link"), 404
    existing = services.user_by_email(invitation.email)
    form = AcceptInvitationForm(name=invitation.name) if existing is None else EmptyForm()
    if form.validate_on_submit():
        if existing and (not current_user.is_authenticated or current_user.id != existing.id):
            flash("Sign in as " + invitation.email + " to accept this invitation.", "info")
            return redirect(url_for("identity.login", next=request.path))
        user = services.accept_invitation(
            invitation, existing, name=form.name.data if existing is None else "",
            password=form.password.data if existing is None else "",
        )
        if user.email_confirmed_at is None:
            user.email_confirmed_at = invitation.accepted_at  # the invitation link proved the address
        _sign_in(user, org_id=invitation.organization_id)
        db.session.commit()
        flash(f"You've joined {invitation.organization.name}.", "success")
        return redirect(url_for("learning.dashboard"))
    return render_template("identity/invitation.html", form=form, invitation=invitation, existing=existing)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit your name, team, time zone and reminder preference."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        old_name = current_user.name
        form.populate_obj(current_user)
        current_user.timezone = form.timezone.data or None
        if current_user.name != old_name:
            name_changed.send(current_user._get_current_object())  # e.g. certificates are reissued
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("identity.profile"))
    return render_template("identity/profile.html", form=form, open_sessions=sessions.open_sessions(current_user),
                           current_session_hash=sessions.token_hash(current_user.session_token))


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of yours, this one included (a lost phone, a shared computer)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ended = sessions.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(f"Signed out of {ended} session{'s' if ended != 1 else ''} everywhere. Sign in again here.", "info")
    return redirect(url_for("identity.login"))


@bp.post("/organizations/<int:org_id>/switch")
@login_required
def org_switch(org_id: int):
    """Work in another of your organisations."""
    if EmptyForm().validate_on_submit() and any(m.organization_id == org_id for m in current_user.memberships):
        session["org_id"] = org_id
    return redirect(url_for("learning.dashboard"))


# --- Organisation admin -------------------------------------------------------------------------
