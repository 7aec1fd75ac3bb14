"""The store's SQLite tests, run again against a throwaway PostgreSQL server.

This includes the burst of 10,000 orders with a projector restart mid-burst and the
property test that the projection, read through ``SqlHistory``, equals the fold.

Each test gets its own fresh database, so tests stay independent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.store.database import create_engine
from aurex.store.migrate import upgrade_database
from tests.property.test_db_projection import (  # noqa: F401
    test_database_projection_equals_the_fold,
)
from tests.unit.store.test_store_burst import (  # noqa: F401
    test_a_projector_dropped_by_the_bus_catches_up_from_the_journal,
    test_burst_of_10k_orders_survives_a_projector_restart_mid_burst,
    test_the_projector_rides_out_a_database_failure,
)
from tests.unit.store.test_store_history import (  # noqa: F401
    test_cursors_are_checked,
    test_fills_carry_the_order_totals_right_after_each_trade,
    test_order_filters,
    test_orders_come_back_with_their_full_state,
    test_page_size_is_bounded,
    test_pages_walk_every_row_once_newest_first,
    test_rows_projected_between_pages_do_not_shift_them,
)
from tests.unit.store.test_store_projector import (  # noqa: F401
    test_a_batch_overlapping_what_is_stored_adds_only_the_new_commands,
    test_a_new_projector_resumes_where_the_stopped_one_left_off,
    test_a_trade_updates_orders_balances_positions_and_the_stock,
    test_catch_up_from_the_journal_fills_in_missed_commands,
    test_lag_is_the_distance_to_the_engine,
    test_projection_of_a_mixed_flow_agrees_with_the_exchange,
    test_replaying_every_batch_again_changes_nothing,
    test_stop_orders_wait_then_trigger_and_day_orders_expire,
)
from tests.unit.store.test_store_repositories import (  # noqa: F401 - collected again here
    test_active_sessions_exclude_expired_and_revoke_all_logs_out_everywhere,
    test_audit_log_returns_newest_first_with_filters,
    test_backup_codes_are_single_use_and_replaced_as_a_set,
    test_changing_email_to_a_taken_one_is_refused,
    test_second_signup_with_same_email_is_refused,
    test_session_lifecycle_touch_rotate_revoke,
    test_totp_step_is_accepted_only_once_and_never_backwards,
    test_update_writes_every_mutable_field,
    test_user_round_trips_with_aware_utc_times,
    test_users_are_listed_oldest_first_with_paging,
)
from tests.unit.store.test_store_schema import (  # noqa: F401
    test_an_empty_database_differs_from_the_definitions,
    test_migrated_schema_matches_table_definitions,
    test_upgrading_from_0001_back_fills_order_state_and_fills,
    test_upgrading_twice_keeps_data_and_schema,
)

from .services import PostgresServer


@pytest.fixture
def db_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_database(db_url)
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()
