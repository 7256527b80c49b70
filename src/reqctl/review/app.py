"""The review server (``reqctl serve``): a Starlette app over one project.

Flow: the personal link ``/r/SECRET`` is exchanged once for a session (an
HttpOnly, SameSite=Strict cookie) and the browser is sent on to ``/``, so
the secret never stays in the address bar, history, a Referer header or a
log line.  Every request re-reads the invitation, so revoking it ends the
session at once; sessions also end after ``session_hours``.  Every form
carries the session's CSRF token; approvals carry the fingerprint of the
content the page showed and are refused when it changed.  Failed link
attempts are rate-limited per client address.  Pages come only from the
built-in templates (a project cannot override what its customer sees),
autoescaped, Markdown rendered as the site renders it, served with a CSP
that allows no inline script: the only script is the site's list filter, a
static file (``/site/assets/filter.js``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from reqctl.bundled import bundled
from reqctl.errors import PermissionDeniedError, ReqctlError
from reqctl.messages import _, lazy, render, using
from reqctl.model.config import Config
from reqctl.render.i18n import word
from reqctl.review import actions, invitations
from reqctl.review.actions import Reviewer, StaleContentError
from reqctl.store.atomic import write_atomic

COOKIE = "reqctl_review"
SITE_SECONDS = 30  # the read-only project site is rebuilt at most this often
LOG = logging.getLogger("reqctl.serve")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",  # no-referrer would make browsers send 'Origin: null' on our own forms
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
}

def labels(lang: str) -> dict[str, Any]:
    """The page's own words in ``lang`` (the project's language: the page is a deliverable for the customer).

    Plain gettext messages (``src/reqctl/locale``), looked up once per server
    start and handed to the templates as ``t``.
    """
    with using(lang):
        return {
            "title": _("Waiting for your review"), "signed_in": _("Signed in as {name}"), "sign_out": _("Sign out"),
            "nothing": _("Nothing waits for your approval right now."),
            "kind": {"requirement": _("Requirement"), "change": _("Change request")},
            "role": _("your role"), "branch": _("on branch"),
            "state": {"missing": _("awaiting your approval"), "stale": _("changed since it was approved"),
                      "not-allowed": _("awaiting your approval"), "rejected": _("rejected earlier")},
            "change_kind": {"added": _("added"), "removed": _("removed"), "changed": _("changed")},
            "acceptance": _("Acceptance criteria"), "priority": _("Priority"), "status": _("Status"),
            "impact": _("Impact assessment"), "schedule": _("Schedule (days)"), "cost": _("Cost"), "risk": _("Risk"),
            "summary": _("Summary"), "affects": _("Requirements it affects"), "changes": _("What changed"),
            "field": _("Field"), "before": _("Before"), "after": _("After"), "reviews": _("Earlier review comments"),
            "approve": _("Approve"), "request": _("Request changes"), "comment": _("Comment"),
            "footer": _("Your decision is recorded in the project's git history under your e-mail address."),
            "approved": _("Approved {id} as {role}."), "requested": _("Your comment on {id} is recorded as {review}."),
            "error": _("This did not work"), "back": _("Back to your reviews"), "denied": _("Access denied"),
            "signin": _("Open the personal link you received to start a review session."),
            "expired": _("Your review session has ended; ask the project manager for a new link."),
            "csrf": _("The form was not sent from your review page (missing or wrong security token); reload it."),
            "too_many": _("Too many failed attempts; wait a few minutes."),
            "internal": _("Something went wrong on the server; nothing was recorded. Tell the project manager."),
            "signed_out": _("You are signed out."),
            "site": _("Project site (read-only)"), "no_page": _("There is no such page in the project site."),
            "lacks": _("The form lacks '{field}'; reload the page."),
            "colon": _(": "),  # between a label and its value (a full-width colon in Chinese)
        }


SESSIONS_FILE = "review-sessions.json"


def _sid_key(sid: str) -> str:
    """What the sessions file keeps of a session id: its hash (reading the file does not sign anyone in)."""
    return hashlib.sha256(b"session:" + sid.encode("utf-8")).hexdigest()


def _csrf_of(sid: str) -> str:
    """The session's CSRF token, derived from the id (so it survives a restart without being stored)."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"csrf:" + sid.encode("utf-8")).digest()).decode().rstrip("=")


@dataclass
class Session:
    email: str
    invitation: str
    roles: tuple[str, ...]
    expires: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    notice: str = ""  # shown once on the next page (kept server-side: a URL cannot put words on the page)

    def to_json(self, key: str) -> dict[str, Any]:
        return {"sid_sha256": key, "email": self.email, "invitation": self.invitation, "roles": list(self.roles),
                "expires": self.expires}


@dataclass
class ServerState:
    root: Path
    session_seconds: float
    max_failures: int
    failure_window: float
    clock: Callable[[], float] = time.time
    sessions: dict[str, Session] = field(default_factory=dict)  # hash of the session id -> session
    failures: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def load_sessions(self) -> None:
        """Sessions opened before a restart (the state folder keeps their ids' hashes and expiry)."""
        from reqctl.store.statedir import state_dir

        path = state_dir(self.root) / SESSIONS_FILE
        try:
            data = json.loads(path.read_bytes())
            entries = data["sessions"]
            loaded = {
                str(e["sid_sha256"]): Session(str(e["email"]), str(e["invitation"]),
                                              tuple(str(r) for r in e["roles"]), float(e["expires"]), csrf="")
                for e in entries
            }
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            LOG.warning("the saved review sessions could not be read; reviewers sign in again with a new link")
            return
        now = self.clock()
        with self.lock:
            self.sessions.update({key: s for key, s in loaded.items() if s.expires > now})

    def _save_sessions(self) -> None:
        """Write the live sessions (called with ``self.lock`` held); a failure only costs persistence."""
        from reqctl.store.statedir import ensure_state_dir

        now = self.clock()
        for key in [k for k, s in self.sessions.items() if s.expires <= now]:
            del self.sessions[key]
        folder = ensure_state_dir(self.root)
        if folder is None:
            return
        data = {"version": 1, "sessions": [s.to_json(k) for k, s in self.sessions.items()]}
        try:
            write_atomic(folder / SESSIONS_FILE, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
            (folder / SESSIONS_FILE).chmod(0o600)
        except OSError as exc:
            LOG.warning("cannot save the review sessions: %s", exc.strerror)

    def too_many_failures(self, client: str) -> bool:
        with self.lock:
            recent = self.failures.get(client)
            if recent is None:
                return False
            while recent and recent[0] < self.clock() - self.failure_window:
                recent.popleft()
            return len(recent) >= self.max_failures

    def failed(self, client: str) -> None:
        with self.lock:
            self.failures.setdefault(client, deque()).append(self.clock())

    def new_session(self, invitation: invitations.Invitation) -> str:
        sid = secrets.token_urlsafe(32)
        lifetime = min(self.session_seconds, invitation.expires.timestamp() - self.clock())
        with self.lock:
            self.sessions[_sid_key(sid)] = Session(invitation.email, invitation.id, invitation.roles,
                                                   self.clock() + lifetime, csrf=_csrf_of(sid))
            self._save_sessions()
        return sid

    def session(self, request: Request) -> Session | None:
        """The request's session while it and its invitation are valid (revocation takes effect at once)."""
        sid = request.cookies.get(COOKIE)
        if not sid or len(sid) > 200:
            return None
        key = _sid_key(sid)
        with self.lock:
            found = self.sessions.get(key)
            if found is not None and found.expires <= self.clock():
                del self.sessions[key]
                self._save_sessions()
                found = None
        if found is None:
            return None
        if not found.csrf:
            found.csrf = _csrf_of(sid)  # a session restored after a restart
        invitation = invitations.find_by_id(self.root, found.invitation)
        if invitation is None or not invitation.valid_at(invitations.now()):
            with self.lock:
                self.sessions.pop(key, None)
                self._save_sessions()
            return None
        return found

    def end(self, request: Request) -> None:
        with self.lock:
            self.sessions.pop(_sid_key(request.cookies.get(COOKIE, "")), None)
            self._save_sessions()


def _environment() -> jinja2.Environment:
    from reqctl.ops.change_list import plain_number
    from reqctl.render.markdown import to_html

    folder = bundled("templates")

    def load(name: str) -> str | None:
        if not name.startswith("review_") or "/" in name:
            return None
        entry = folder.joinpath(name)
        return entry.read_text(encoding="utf-8") if entry.is_file() else None

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["markdown"] = to_html
    env.filters["plain"] = plain_number
    env.filters["show"] = lambda value: "—" if value in (None, "", []) else (
        ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    )
    return env


def _words(env: jinja2.Environment, config: Config, lang: str) -> None:
    """Filters for the data shown in ``lang``: statuses, priorities, roles (``word``), field names, people, messages."""
    from reqctl.render.i18n import field

    names = config.display_names(lang)
    env.filters["word"] = lambda value: word(value, lang, names)
    env.filters["field"] = lambda value: field(value, lang)
    env.filters["person"] = lambda value: config.person_name(str(value)) if value else ""
    env.filters["tr"] = render  # a lazy message (pages render inside ``using(lang)``)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def redacted(path: str) -> str:
    """A request path fit for a log: a review link's secret is never written anywhere."""
    return invitations.LINK_PATH + "<secret>" if path.startswith(invitations.LINK_PATH) else path


def create_app(
    root: Path,
    *,
    session_hours: float = 8,
    max_failures: int = 10,
    failure_window_seconds: float = 600,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """The review app for the project at ``root`` (``reqctl serve`` runs it with uvicorn)."""
    from reqctl.store.store import Store

    store = Store.open(root)
    config = store.config()
    if not config.review.recorder:
        from reqctl.errors import ConfigError

        raise ConfigError(
            lazy("reqctl serve needs the identity it commits approvals as: add '{setting}'",
                 setting="review: {recorder: EMAIL}"),
            path="reqctl.yaml",
        )
    state = ServerState(store.root, session_hours * 3600, max_failures, failure_window_seconds, clock)
    state.load_sessions()
    env = _environment()
    lang = config.language  # the customer's page speaks the project's language, not the operator's locale
    t = labels(lang)
    _words(env, config, lang)
    css = (bundled("templates").joinpath("_style.css.j2").read_text(encoding="utf-8") + REVIEW_CSS).encode()

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        with using(lang):
            html = env.get_template(name).render(lang=lang, t=t, **context)
        return HTMLResponse(html, status_code=status)

    def message(heading: str, text: str, status: int, *, back: bool = False) -> HTMLResponse:
        return page("review_message.html.j2", status, heading=heading, message=text,
                    back=t["back"] if back else "")

    def shown(exc: ReqctlError) -> str:
        """An error as the customer reads it: in the project's language (lazy messages translated)."""
        with using(lang):
            return exc.display()

    async def exchange(request: Request) -> Response:
        client = _client(request)
        if state.too_many_failures(client):
            return message(t["denied"], t["too_many"], 429)
        secret = str(request.path_params["secret"])
        try:
            invitation = await run_in_threadpool(invitations.redeem, state.root, secret)
        except PermissionDeniedError as exc:
            state.failed(client)
            LOG.warning("refused a review link from %s: %s", client, exc.message)
            return message(t["denied"], shown(exc), 403)
        sid = state.new_session(invitation)
        LOG.info("review session opened for %s (%s)", invitation.email, invitation.id)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE, sid, httponly=True, samesite="strict", path="/",
            secure=request.url.scheme == "https", max_age=int(state.session_seconds),
        )
        return response

    def _entries(session: Session) -> list[dict[str, Any]]:
        from reqctl.review.pending import pending_for

        entries = []
        for item in pending_for(state.root, session.email, session.roles):
            entries.append({
                "kind": item.kind, "id": item.id, "title": item.title, "role": item.role, "state": item.state,
                "token": item.token, "item": item.item, "diffs": item.diffs, "diff_note": item.diff_note,
                "ref": item.ref, "affected": item.affected,
                "reviews": actions.reviews_of(state.root, item.id),
            })
        return entries

    async def home(request: Request) -> Response:
        session = state.session(request)
        if session is None:
            return message(t["denied"], t["signin"], 401)
        entries = await run_in_threadpool(_entries, session)
        notice, session.notice = session.notice, ""
        return page("review_page.html.j2", email=session.email, csrf=session.csrf, pending=entries,
                    notice=notice, project_name=config.name)

    async def _form(request: Request) -> tuple[Session, dict[str, str]] | Response:
        session = state.session(request)
        if session is None:
            return message(t["denied"], t["expired"], 401)
        origin = request.headers.get("origin")
        # Same host as the request (not the scheme: behind a TLS proxy the server itself speaks http).
        if origin is not None and origin.partition("://")[2] != request.headers.get("host", request.url.netloc):
            return message(t["denied"], t["csrf"], 403, back=True)
        form = await request.form(max_files=0, max_fields=20)
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        if not hmac.compare_digest(fields.get("csrf", "").encode(), session.csrf.encode()):
            LOG.warning("refused a form without a valid CSRF token from %s", _client(request))
            return message(t["denied"], t["csrf"], 403, back=True)
        for key in ("kind", "id", "role", "token"):
            if key != "csrf" and not fields.get(key):
                return message(t["error"], t["lacks"].format(field=key), 400, back=True)
        return session, fields

    def _reviewer(session: Session) -> Reviewer:
        return Reviewer(session.email, session.invitation, session.roles)

    async def approve(request: Request) -> Response:
        got = await _form(request)
        if isinstance(got, Response):
            return got
        session, fields = got
        act = actions.approve_change if fields["kind"] == "change" else actions.approve_requirement
        try:
            commit = await run_in_threadpool(
                act, state.root, _reviewer(session), fields["id"], fields["role"], fields["token"]
            )
        except StaleContentError as exc:
            return message(t["error"], shown(exc), 409, back=True)
        except ReqctlError as exc:
            return message(t["error"], shown(exc), 400, back=True)
        LOG.info("%s approved %s as %s (commit %s)", session.email, fields["id"], fields["role"], commit[:10])
        session.notice = t["approved"].format(id=fields["id"], role=word(fields["role"], lang))
        return RedirectResponse("/", status_code=303)

    async def request_changes(request: Request) -> Response:
        got = await _form(request)
        if isinstance(got, Response):
            return got
        session, fields = got
        try:
            review_id, _commit = await run_in_threadpool(
                actions.request_changes, state.root, _reviewer(session), fields["id"], fields["role"],
                fields["token"], fields.get("comment", ""),
            )
        except ReqctlError as exc:
            return message(t["error"], shown(exc), 400, back=True)
        LOG.info("%s requested changes to %s (%s)", session.email, fields["id"], review_id)
        session.notice = t["requested"].format(id=fields["id"], review=review_id)
        return RedirectResponse("/", status_code=303)

    async def logout(request: Request) -> Response:
        session = state.session(request)
        if session is not None:
            form = await request.form(max_files=0, max_fields=5)
            if not hmac.compare_digest(str(form.get("csrf", "")).encode(), session.csrf.encode()):
                return message(t["denied"], t["csrf"], 403, back=True)
            state.end(request)
        response = message(t["sign_out"], t["signed_out"], 200)
        response.delete_cookie(COOKIE, path="/")
        return response

    site_lock = threading.Lock()
    site_built = [0.0]

    def _site_file(rel: str) -> Path | None:
        """``rel`` in the project's published site (rebuilt at most every ``SITE_SECONDS``), or None."""
        import datetime as dt

        from reqctl.ops.publish import publish_site
        from reqctl.store.statedir import ensure_state_dir

        folder = ensure_state_dir(state.root)
        if folder is None:
            return None
        target = folder / "review-site"
        with site_lock:
            if not target.is_dir() or time.monotonic() - site_built[0] > SITE_SECONDS:
                project = Store.open(state.root).project()
                publish_site(project, target, lang, dt.date.today())
                site_built[0] = time.monotonic()
        parts = Path(rel or "index.html").parts
        if not parts or any(part in ("..", "") or part.startswith(".") for part in parts) or Path(rel).is_absolute():
            return None
        path = target.joinpath(*parts)
        if path.is_dir():
            path = path / "index.html"
        if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(target.resolve()):
            return None
        return path

    async def site(request: Request) -> Response:
        session = state.session(request)
        if session is None:
            return message(t["denied"], t["signin"], 401)
        rel = str(request.path_params.get("rel", ""))
        path = await run_in_threadpool(_site_file, rel)
        if path is None:
            return message(t["error"], t["no_page"], 404, back=True)
        media = {".html": "text/html; charset=utf-8", ".css": "text/css", ".svg": "image/svg+xml",
                 ".png": "image/png"}.get(path.suffix, "application/octet-stream")
        if rel == "assets/filter.js":  # the one script 'self' may run (an attachment named .js stays inert)
            media = "text/javascript; charset=utf-8"
        return Response(path.read_bytes(), media_type=media)

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    async def stylesheet(request: Request) -> Response:
        return Response(css, media_type="text/css")

    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.monotonic()
        try:
            response = await call_next(request)
        except Exception as exc:  # a git error or a broken item: a clear page, never a traceback
            LOG.error("error serving %s %s: %s: %s", request.method, redacted(request.url.path),
                      type(exc).__name__, exc)
            response = message(t["error"], t["internal"], 500)
        for key, value in SECURITY_HEADERS.items():
            response.headers[key] = value
        LOG.info('%s "%s %s" %d %.0fms', _client(request), request.method, redacted(request.url.path),
                 response.status_code, (time.monotonic() - started) * 1000)
        return response

    app = Starlette(
        routes=[
            Route(invitations.LINK_PATH + "{secret}", exchange, methods=["GET"]),
            Route("/", home, methods=["GET"]),
            Route("/approve", approve, methods=["POST"]),
            Route("/request-changes", request_changes, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/assets/review.css", stylesheet, methods=["GET"]),
            Route("/favicon.ico", no_icon, methods=["GET"]),
            Route("/site/", site, methods=["GET"]),
            Route("/site/{rel:path}", site, methods=["GET"]),
        ],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)],
    )

    app.state.review = state
    return app


REVIEW_CSS = """
header.site form.inline { margin-left: auto; }
button.link { background: none; border: 0; color: #fff; cursor: pointer; text-decoration: underline; }
section.review { border: 1px solid var(--line); border-radius: 6px; padding: .2rem 1.2rem 1rem; margin: 1.5rem 0; }
.notice { background: #e6f4ea; border-radius: 6px; padding: .6rem .9rem; }
.message { font-size: 1.1rem; }
.actions { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-end; margin-top: 1rem; }
.actions label { display: block; }
.actions textarea { display: block; width: 28rem; max-width: 100%; }
button.approve, button.request { font-size: 1rem; padding: .45rem 1.1rem; border-radius: 4px; cursor: pointer; }
button.approve { background: #1a7f37; color: #fff; border: 1px solid #1a7f37; }
button.request { background: #fff; color: #9a3412; border: 1px solid #9a3412; }
pre.udiff { background: var(--panel); padding: .6rem; overflow-x: auto; }
pre.udiff .add, td.add { color: #1a7f37; }
pre.udiff .del, td.del { color: #b42318; }
"""
