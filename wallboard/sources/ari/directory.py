"""The endpoint map, kept here so ARI's imports keep working: it lives in
:mod:`wallboard.sources.endpoints`, shared with the AMI source."""

from wallboard.sources.endpoints import (
    BUSY_DEVICE_STATES,
    DND_ON_DEVICE_STATES,
    OFFLINE_DEVICE_STATES,
    AccountState,
    Directory,
    load_employees,
)

__all__ = [
    "BUSY_DEVICE_STATES",
    "DND_ON_DEVICE_STATES",
    "OFFLINE_DEVICE_STATES",
    "AccountState",
    "Directory",
    "load_employees",
]
