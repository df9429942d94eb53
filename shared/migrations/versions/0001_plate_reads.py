"""plate_reads: one row per plate read, with its crop.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Types are spelled out here rather than imported from shared.models, so this
revision keeps meaning the same schema when the models change later.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
_BLOB = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "plate_reads",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("read_id", sa.String(32), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("frame_id", sa.String(64), nullable=False),
        sa.Column("captured_at", _TS, nullable=False),
        sa.Column("recognized_at", _TS, nullable=False),
        sa.Column("plate_text", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("char_confidences", sa.JSON(), nullable=False),
        sa.Column("box", sa.JSON(), nullable=False),
        sa.Column("detector_confidence", sa.Float(), nullable=False),
        sa.Column("format", sa.String(64), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("detector_version", sa.String(128), nullable=False),
        sa.Column("recognizer_version", sa.String(128), nullable=False),
        sa.Column("latency_ms", sa.JSON(), nullable=False),
        sa.Column("crop_jpeg", _BLOB, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("read_id", name="uq_plate_reads_read_id"),
        mysql_charset="utf8mb4",
        mariadb_charset="utf8mb4",
    )
    op.create_index("ix_plate_reads_captured_at_id", "plate_reads", ["captured_at", "id"])
    op.create_index("ix_plate_reads_camera_captured", "plate_reads", ["camera_id", "captured_at"])
    op.create_index("ix_plate_reads_plate_text", "plate_reads", ["plate_text"])


def downgrade() -> None:
    op.drop_table("plate_reads")
