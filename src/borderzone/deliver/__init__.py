"""The deliver stage: styled GeoPackages, QGIS projects, the report and the web map."""

from borderzone.deliver.article import write_article_tables, write_population_table
from borderzone.deliver.article_transit import TRANSIT_LINE_COLUMNS, transit_line_rows
from borderzone.deliver.deliverables import write_deliverables
from borderzone.deliver.report import write_report
from borderzone.deliver.run_record import read_source_records, record_sources, run_record
from borderzone.deliver.webmap import write_webmap

__all__ = [
    "TRANSIT_LINE_COLUMNS",
    "read_source_records",
    "record_sources",
    "run_record",
    "transit_line_rows",
    "write_article_tables",
    "write_deliverables",
    "write_population_table",
    "write_report",
    "write_webmap",
]
