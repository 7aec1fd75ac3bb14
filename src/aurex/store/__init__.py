"""Durable storage: SQLAlchemy tables, Alembic migrations, repositories, the projector.

Works unchanged on SQLite (``sqlite+aiosqlite:///path``, the embedded default) and
PostgreSQL (``postgresql+asyncpg://...``). Public API, wired by ``aurex.bootstrap``:

- ``database.create_engine(url) -> AsyncEngine``: SQLite gets WAL, foreign keys, a busy
  timeout and its parent directory.
- ``migrate.upgrade_database(url)``: migrate to head at start-up (no ``alembic.ini``);
  ``migrate.schema_differences(url)`` lists drift between database and ``tables``.
- ``user_repository.SqlUserRepository(engine)``            -> ``auth.ports.UserRepository``
- ``session_repository.SqlSessionRepository(engine)``      -> ``auth.ports.SessionRepository``
- ``session_repository.SqlBackupCodeRepository(engine)``   -> ``auth.ports.BackupCodeRepository``
- ``audit_log.SqlAuditLog(engine)``                        -> ``auth.ports.AuditLog``
- ``projector.Projector(engine, engine_seq=...)``: writes engine events into orders,
  trades, fills, accounts, positions, ledger entries and stocks in one transaction per
  batch, idempotent by command seq; ``follow()`` catches up from the journal and then
  tracks the live bus; ``lag`` says how far the database is behind the engine. Order
  rows and fills are the read side's fold (``readside.order_state``), stored as is.
- ``history.SqlHistory(engine)``                             -> ``readside.history.History``
  (an account's orders and fills, newest first, in keyset-cursor pages)
"""
