"""``/api/auth/sessions``: list the caller's sessions, revoke one or all of them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from aurex.gateways.http.deps import CurrentUser, Services
from aurex.gateways.http.schemas import RevokedResponse, SessionInfo, SessionsResponse
from aurex.gateways.http.security import clear_session_cookies

router = APIRouter(prefix="/api/auth/sessions", tags=["sessions"])


@router.get("", response_model=SessionsResponse)
async def list_sessions(services: Services, principal: CurrentUser) -> SessionsResponse:
    """Active sessions, newest first, with address, browser and last activity."""
    sessions = await services.sessions.list_active(principal.user_id)
    return SessionsResponse(
        sessions=[
            SessionInfo(
                session_id=s.id,
                ip_address=s.ip_address,
                user_agent=s.user_agent,
                created_at=s.created_at,
                last_activity=s.last_activity,
                expires_at=s.expires_at,
                trading_expires_at=s.trading_expires_at,
                current=s.id == principal.session_id,
            )
            for s in sessions
        ]
    )


@router.delete("/{session_id}", response_model=RevokedResponse)
async def revoke_session(
    session_id: str, request: Request, services: Services, principal: CurrentUser
) -> JSONResponse:
    """Log out one session (on any device); its tokens stop working at once."""
    await services.sessions.revoke(principal.user_id, session_id)
    response = JSONResponse(RevokedResponse(revoked=1).model_dump(by_alias=True))
    if session_id == principal.session_id:
        clear_session_cookies(response, request)
    return response


@router.delete("", response_model=RevokedResponse)
async def revoke_all_sessions(
    request: Request, services: Services, principal: CurrentUser
) -> JSONResponse:
    """Log out everywhere, this session included."""
    count = await services.sessions.revoke_all(principal.user_id)
    response = JSONResponse(RevokedResponse(revoked=count).model_dump(by_alias=True))
    clear_session_cookies(response, request)
    return response
