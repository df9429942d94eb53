"""passages, passage_reads, list_entries: one event per vehicle, allow/deny lists.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-01

Types are spelled out here rather than imported from shared.models, so this
revision keeps meaning the same schema when the models change later.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_BLOB = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CHARSET = {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"}


def upgrade() -> None:
    op.create_table(
        "passages",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("passage_id", sa.String(32), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("plate_text", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("format", sa.String(64), nullable=True),
        sa.Column("first_seen", _TS, nullable=False),
        sa.Column("last_seen", _TS, nullable=False),
        sa.Column("read_count", sa.Integer(), nullable=False),
        sa.Column("best_read_id", sa.String(32), nullable=False),
        sa.Column("best_confidence", sa.Float(), nullable=False),
        sa.Column("list_name", sa.String(16), nullable=True),
        sa.Column("list_plate", sa.String(32), nullable=True),
        sa.Column("list_distance", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("announced_at", _TS, nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("crop_jpeg", _BLOB, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("passage_id", name="uq_passages_passage_id"),
        **_CHARSET,
    )
    op.create_index("ix_passages_first_seen_id", "passages", ["first_seen", "id"])
    op.create_index("ix_passages_camera_first_seen", "passages", ["camera_id", "first_seen"])
    op.create_index("ix_passages_plate_text", "passages", ["plate_text"])
    op.create_index("ix_passages_status_last_seen", "passages", ["status", "last_seen"])
    op.create_table(
        "passage_reads",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("read_id", sa.String(32), nullable=False),
        sa.Column("passage_id", sa.String(32), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("seen_at", _TS, nullable=False),
        sa.Column("plate_text", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("char_confidences", sa.JSON(), nullable=False),
        sa.Column("box", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.UniqueConstraint("read_id", name="uq_passage_reads_read_id"),
        **_CHARSET,
    )
    op.create_index("ix_passage_reads_passage_id", "passage_reads", ["passage_id"])
    op.create_index("ix_passage_reads_seen_at", "passage_reads", ["seen_at"])
    op.create_table(
        "list_entries",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("list_name", sa.String(16), nullable=False),
        sa.Column("plate_text", sa.String(32), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("list_name", "plate_text", name="uq_list_entries_list_plate"),
        **_CHARSET,
    )


def downgrade() -> None:
    op.drop_table("list_entries")
    op.drop_table("passage_reads")
    op.drop_table("passages")
