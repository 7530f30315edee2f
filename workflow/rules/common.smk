# Configuration check, target lists and input functions; no rules here.
import sys

from snakemake.utils import validate

from borderzone import __version__
from borderzone.config import check_config, check_schema, coerce_numbers, config_hash, width_label
from borderzone.errors import BorderzoneError

try:
    coerce_numbers(config)
    check_schema(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
    validate(config, "../schemas/config.schema.yaml")  # fills in the defaults
    check_config(config)
except BorderzoneError as exc:
    sys.exit(f"borderzone: bad configuration: {exc}")

PAIR = "-".join(config["pair"])
WIDTHS = [width_label(w) for w in config["buffers_km"]]


wildcard_constraints:
    pair=r"[A-Z]{3}-[A-Z]{3}",
    width=r"\d+(\.\d+)?",


def all_targets():
    """Every output of the configured run."""
    return [f"results/{PAIR}/border.gpkg"] + [
        f"results/{PAIR}/{width}km/zones.gpkg" for width in WIDTHS
    ]


def countries_file(wildcards):
    """The file that holds the two country outlines."""
    return config["countries"]["file"]


def provenance(source):
    """Metadata stored in every output: where it came from and how it was made."""
    return {
        "borderzone_version": __version__,
        "config_sha256": config_hash(config),
        "source": source,
    }
