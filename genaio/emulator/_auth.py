"""Authentication: API keys, OAuth bearer tokens (Vertex), the OAuth token endpoint and
ephemeral `auth_tokens` (accepted by Live only, refused on REST).
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ._call import Call
from ._clock import parse_timestamp, timestamp
from ._http import ApiError, Response, dumps, g, json_response

if TYPE_CHECKING:  # annotations only: the core imports every family
    from ._core import Emulator

__all__ = ["check_ephemeral_token", "check_request", "create_auth_token", "oauth_token"]

_SERVICE = {"service": "generativelanguage.googleapis.com"}
_TOKEN_SECONDS = 3600


def _key_invalid() -> ApiError:
    message = "API key not valid. Please pass a valid API key."
    return ApiError(
        400,
        message,
        "INVALID_ARGUMENT",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": _SERVICE,
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            },
        ],
    )


def _unregistered() -> ApiError:
    return ApiError(
        403,
        "Method doesn't allow unregistered callers (callers without established "
        "identity). Please use API Key or other form of API consumer identity to call "
        "this API.",
        "PERMISSION_DENIED",
    )


def _credentials_missing() -> ApiError:
    return ApiError(
        401,
        "Request is missing required authentication credential. Expected OAuth 2 "
        "access token, login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "UNAUTHENTICATED",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "CREDENTIALS_MISSING",
                "domain": "googleapis.com",
                "metadata": {"service": "aiplatform.googleapis.com"},
            }
        ],
    )


def _bad_token() -> ApiError:
    return ApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access "
        "token, login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        "UNAUTHENTICATED",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                "domain": "googleapis.com",
            }
        ],
    )


def _key_ok(emu: Emulator, key: str) -> bool:
    return not emu.config.api_keys or key in emu.config.api_keys


def _bearer_ok(emu: Emulator, token: str) -> bool:
    expiry = emu.state.oauth_tokens.get(token)
    if expiry is not None:
        return expiry > emu.clock.now()
    return not emu.config.api_keys or token in emu.config.api_keys


def check_request(kind: str, call: Call) -> None:
    """Raise the real API's error unless the request carries acceptable credentials."""
    if kind == "none":
        return
    emu, headers = call.emu, call.req.headers
    if kind == "upload":  # the upload_id is the credential (spec §6)
        if "upload_id" in call.req.query:
            return
    key = headers.get("x-goog-api-key", "").strip() or call.req.query.get("key", "").strip()
    authorization = headers.get("authorization", "")
    if key:
        if key.startswith("auth_tokens/"):
            raise ApiError(
                401,
                "Ephemeral tokens are only accepted by the Live API "
                "(BidiGenerateContentConstrained), not by REST methods.",
                "UNAUTHENTICATED",
            )
        if not _key_ok(emu, key):
            raise _key_invalid()
        return
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or not _bearer_ok(emu, token.strip()):
            raise _bad_token()
        return
    raise _credentials_missing() if call.surface == "vertex" else _unregistered()


# -- OAuth 2 token endpoint (google-auth's service-account flow posts a JWT assertion) -----


def oauth_token(emu: Emulator, body: bytes, content_type: str) -> Response:
    if "json" in content_type:
        form = json.loads(body or b"{}")
    else:
        form = dict(parse_qsl(body.decode("latin-1")))
    grant = form.get("grant_type", "")
    claims: dict[str, Any] = {}
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        assertion = form.get("assertion", "")
        if assertion.count(".") != 2:
            return _oauth_error("invalid_grant", "Invalid JWT: not a signed JWT.")
        claims = _jwt_claims(assertion) or {}
        if not claims.get("iss"):
            return _oauth_error("invalid_grant", "Invalid JWT Signature.")
    elif grant != "refresh_token":
        return _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant}")
    token = "ya29.emulator-" + secrets.token_urlsafe(24)
    emu.state.oauth_tokens[token] = emu.clock.now() + _TOKEN_SECONDS
    answer: dict[str, Any] = {
        "access_token": token,
        "expires_in": _TOKEN_SECONDS,
        "token_type": "Bearer",
    }
    if claims.get("target_audience"):
        answer["id_token"] = assertion
    return json_response(answer)


def _jwt_claims(assertion: str) -> dict[str, Any] | None:
    try:
        payload = assertion.split(".")[1]
        claims: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        return claims
    except ValueError:
        return None


def _oauth_error(error: str, description: str) -> Response:
    return Response(400, dumps({"error": error, "error_description": description}))


# -- ephemeral tokens -----------------------------------------------------------------------


def create_auth_token(call: Call) -> Response:
    """`POST {v}/auth_tokens` (spec §11): an `auth_tokens/...` name usable on Live only."""
    body = call.body()
    now = call.emu.clock.now()
    expire = g(body, "expireTime")
    new_session = g(body, "newSessionExpireTime")
    expire_at = parse_timestamp(expire) if expire else now + 30 * 60
    session_at = parse_timestamp(new_session) if new_session else now + 60
    if expire_at > now + 20 * 3600:
        raise ApiError(400, "expire_time must be less than 20 hours in the future.")
    name = "auth_tokens/" + secrets.token_hex(16)
    token = {
        "name": name,
        "expireTime": timestamp(expire_at),
        "newSessionExpireTime": timestamp(session_at),
        "uses": int(g(body, "uses", 1)),
        "bidiGenerateContentSetup": g(body, "bidiGenerateContentSetup"),
        "fieldMask": g(body, "fieldMask"),
    }
    call.emu.state.auth_tokens[name] = token
    return json_response({"name": name})


def check_ephemeral_token(emu: Emulator, name: str, new_session: bool = True) -> dict[str, Any]:
    """For the Live server (to come): the token's record, after spending one use."""
    token = emu.state.auth_tokens.get(name)
    now = emu.clock.now()
    if token is None or parse_timestamp(token["expireTime"]) <= now:
        raise ApiError(401, "The ephemeral token is invalid or expired.", "UNAUTHENTICATED")
    if new_session:
        if parse_timestamp(token["newSessionExpireTime"]) <= now or token["uses"] <= 0:
            raise ApiError(401, "The ephemeral token cannot start new sessions.", "UNAUTHENTICATED")
        token["uses"] -= 1
    return token
