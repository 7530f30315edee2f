"""The deliver stage: styled GeoPackages, QGIS projects, the report and the web map."""

from borderzone.deliver.deliverables import (
    run_provenance,
    write_deliverables,
    write_report,
    write_webmap,
)

__all__ = ["run_provenance", "write_deliverables", "write_report", "write_webmap"]
