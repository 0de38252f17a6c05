"""Beyond one machine: ``wallboard ingest`` publishes a PBX to a stream engine, and
``wallboard serve --bus`` replicas serve the screens from it (docs/scale-out.md)."""

from wallboard.bus.base import Bus, BusError, Entry, NotLeader, open_bus
from wallboard.bus.ingest import Ingest, IngestSettings
from wallboard.bus.site import SiteSource
from wallboard.bus.source import BusSource

__all__ = ["Bus", "BusError", "BusSource", "Entry", "Ingest", "IngestSettings", "NotLeader",
           "SiteSource", "open_bus"]
