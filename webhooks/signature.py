"""Signed Vonage webhooks: the full check of the
`Authorization: Bearer <JWT>` that Vonage puts on every callback when signing is on.

Vonage signs with HS256 and the account's signature secret. Claims: `iat`, `jti`, `iss`,
`api_key`, optionally `application_id`, and `payload_hash`: the SHA-256 hex of a POST's body,
or for a GET, of the query parameters as a JSON object in their original order with no
whitespace (Vonage support, "How do I verify that the Voice API Webhook request and its payload
has not been tampered during transit"). There is no `exp`: the age of `iat` is the expiry.

Checks run cheapest first, and the `jti` is written to the database last, only once the
signature and every other claim verified, so forged tokens cannot fill the replay table and a
request that is refused for another reason does not use up its token. On the two hottest routes
(/voice-answer, /voice-dtmf) the `jti` rides on the request's first write instead, in the same
transaction (`verified`, then the domain's TokenReplayed): one database round trip fewer, and a
replay still writes nothing. A refused request is
answered 401 with a short JSON error and one `webhook refused` log event naming the route and
the reason: never the token, the body or the query string.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from flask import Request, Response, jsonify

from meetbridge.clock import Clock
from meetbridge.records import WebhookToken
from meetbridge.storage.replays import WINDOW_SECONDS, SeenTokens

from .hs256 import verified_claims

MAX_TOKEN_LENGTH = 4096
MAX_JTI_LENGTH = 128
BEARER = "Bearer "
QueryPairs = Callable[[], Sequence[tuple[str, str]]]  # a GET's parameters in their original order

log = logging.getLogger("meetbridge.webhooks")


@dataclass(frozen=True)
class ClaimRules:
    """Claims that, when a token carries them, must name this deployment. None: not checked
    (Video callback JWTs document no application_id/api_key rule)."""

    application_id: str | None = None
    api_key: str | None = None


class WebhookVerifier:
    """Decides whether one request carries a valid, unused Vonage signature."""

    def __init__(self, secret: str, clock: Clock, seen: SeenTokens, rules: ClaimRules) -> None:
        self._key = secret.encode()
        self._clock = clock
        self._seen = seen
        self._rules = rules

    def problem(self, method: str, authorization: str | None, body: bytes, query: QueryPairs) -> str | None:
        """None when the request is signed by Vonage and its token is used for the first time;
        otherwise a short reason (safe to log and to answer: it quotes nothing it was sent)."""
        verdict = self.verified(method, authorization, body, query)
        if isinstance(verdict, str):
            return verdict
        if not self._seen.first_use(verdict.jti, verdict.seen_at):
            return "token already used"
        return None

    def verified(self, method: str, authorization: str | None, body: bytes, query: QueryPairs) -> str | WebhookToken:
        """Every check but the token's first use: the token to record (by the request's first
        write, or `problem`), or a short reason as `problem` gives it."""
        if not authorization or not authorization.startswith(BEARER):
            return "missing Bearer token"
        token = authorization[len(BEARER):].strip()
        if len(token) > MAX_TOKEN_LENGTH:
            return "token too long"
        claims = verified_claims(token, self._key)
        if claims is None:
            return "bad signature"
        now = self._clock.now()
        problem = (_time_problem(claims, now) or self._deployment_problem(claims) or _jti_problem(claims)
                   or _payload_problem(claims, method, body, query))
        if problem:
            return problem
        return WebhookToken(claims["jti"], now)

    def _deployment_problem(self, claims: dict) -> str | None:
        for name, expected in (("application_id", self._rules.application_id), ("api_key", self._rules.api_key)):
            if expected is not None and name in claims and claims[name] != expected:
                return f"{name} is not ours"
        return None


def _time_problem(claims: dict, now: float) -> str | None:
    iat = claims.get("iat")
    if not _is_number(iat):
        return "iat missing"
    if abs(now - iat) > WINDOW_SECONDS:
        return "iat outside the accepted window"
    exp = claims.get("exp")  # Vonage sends none; one that is there must not have passed
    if exp is not None and (not _is_number(exp) or exp + WINDOW_SECONDS < now):
        return "token expired"
    return None


def _jti_problem(claims: dict) -> str | None:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_LENGTH:
        return "jti missing"
    return None


def _payload_problem(claims: dict, method: str, body: bytes, query: QueryPairs) -> str | None:
    """A POST's token must vouch for its raw body, an empty one included (a token without
    payload_hash, e.g. a GET's, cannot be reused for a body). A GET carries no body; its
    payload_hash, when present, must match its query string."""
    claimed = claims.get("payload_hash")
    if method in ("GET", "HEAD"):
        if body:
            return "a GET carries no body"
        if claimed is None:
            return None
        expected = query_payload_hash(query())
    else:
        if claimed is None:
            return "payload_hash missing"
        expected = hashlib.sha256(body).hexdigest()
    if not isinstance(claimed, str) or expected is None:
        return "payload_hash does not match"
    if not hmac.compare_digest(claimed.lower().encode("utf-8", "replace"), expected.encode()):
        return "payload_hash does not match"
    return None


def query_payload_hash(pairs: Sequence[tuple[str, str]]) -> str | None:
    """Vonage's rule for a GET: the query parameters as one JSON object, in their original
    order, serialised with no whitespace (as JavaScript's JSON.stringify does: non-ASCII left
    as is), then SHA-256 hex. None when the parameters cannot be such an object (a repeated
    name)."""
    params = dict(pairs)
    if len(params) != len(pairs):
        return None
    text = json.dumps(params, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def voice_verifier(secret: str | None, clock: Clock, seen: SeenTokens, application_id: str,
                   api_key: str) -> WebhookVerifier | None:
    """The checker for /voice-*, or None when signing is off (settings allow that only with a
    loopback SERVER_URL), which is said once at start-up."""
    if not secret:  # settings read an empty value as unset; never verify with an empty key
        log.warning("voice webhooks are not signed: VONAGE_SIGNATURE_SECRET is not set, which is "
                    "allowed only because SERVER_URL is a loopback address (development)")
        return None
    return WebhookVerifier(secret, clock, seen, ClaimRules(application_id=application_id, api_key=api_key))


def refusal(route: str, reason: str, answer: str | None = None) -> tuple[Response, int, dict[str, str]]:
    """401 with a short JSON error, and the one log event of a refused webhook."""
    log.warning("webhook refused", extra={"route": route, "reason": reason})
    error = answer if answer is not None else f"unauthorized: {reason}"
    return jsonify(error=error), 401, {"WWW-Authenticate": "Bearer"}


def check_request(verifier: WebhookVerifier, request: Request) -> str | None:
    """The verifier's verdict on a Flask request: its raw body, and the query parameters as
    parsed for the handler anyway (Werkzeug keeps their order; a repeated name is refused)."""
    return verifier.problem(request.method, request.headers.get("Authorization"), request.get_data(cache=True),
                            lambda: list(request.args.items(multi=True)))


def verify_request(verifier: WebhookVerifier, request: Request) -> str | WebhookToken:
    """`check_request` but for the token's first use: the token for the request's first write
    to record, or why the request is refused."""
    return verifier.verified(request.method, request.headers.get("Authorization"), request.get_data(cache=True),
                             lambda: list(request.args.items(multi=True)))
