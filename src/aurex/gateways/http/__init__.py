"""The HTTP gateway (FastAPI): ``create_app(AppServices(auth=...)) -> FastAPI``.

Routes for other parts use ``deps.CurrentUser`` / ``deps.AdminUser`` to authenticate
and raise ``AuthError`` (or return ``errors.error_response``) for the shared
``{"code", "message"}`` error shape.
"""

from aurex.gateways.http.app import AppServices, create_app

__all__ = ["AppServices", "create_app"]
