"""Durable storage: SQLAlchemy tables, Alembic migrations, repositories, the projector.

Public API (the composition root wires these; nothing else should need more):

- ``database.create_engine(url) -> AsyncEngine`` (SQLite: WAL, foreign keys, parent dir)
- ``migrate.upgrade_database(url) -> None`` runs the migrations up to head at start-up
- ``user_repository.SqlUserRepository(engine)``        -> ``auth.ports.UserRepository``
- ``session_repository.SqlSessionRepository(engine)``  -> ``auth.ports.SessionRepository``
- ``session_repository.SqlBackupCodeRepository(engine)`` -> ``auth.ports.BackupCodeRepository``
- ``audit_log.SqlAuditLog(engine)``                    -> ``auth.ports.AuditLog``
- ``projector.Projector(engine)``: writes engine events into orders, trades, accounts,
  positions, ledger entries and stocks, idempotently by command sequence number.
"""
