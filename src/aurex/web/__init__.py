"""The web trading platform: server-rendered pages over the REST and WebSocket APIs.

``web_router()`` serves the pages, the web app manifest and the static assets (the
compiled TypeScript modules and the charting library copied from node_modules by
``npm run build``). Pages carry no inline scripts, so the strict CSP holds.
"""

from aurex.web.routes import web_router

__all__ = ["web_router"]
