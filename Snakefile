# borderzone: a land border between two countries as a transport and settlement zone.
# Run with `python3 dev.py run` (README.md); outputs go to results/<A>-<B>/.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/border.smk"
include: "workflow/rules/synth.smk"
include: "workflow/rules/osm.smk"
include: "workflow/rules/crossings.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/deliver.smk"


rule all:
    input:
        all_targets(),
    default_target: True
