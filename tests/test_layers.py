"""The package's rooms: imports go down the stages only, and nothing imports the demo.

ground (the modules directly in src/borderzone) <- border <- osm <- crossings <- metrics
<- deliver; synth may import anything, and only its own rule, the tests and the benchmarks
(which build their worlds with it) import it.
"""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "borderzone"
STAGES = ["ground", "border", "osm", "crossings", "metrics", "deliver"]


def room(module: str) -> str:
    """The room of a dotted module name inside borderzone."""
    parts = module.split(".")
    if len(parts) > 1 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "ground"


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every borderzone import in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(node.lineno, n) for n in names[:1] if n.split(".")[0] == "borderzone"]
            if node.module == "borderzone":  # from borderzone import synth
                found += [(node.lineno, n) for n in names[1:]]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("borderzone")]
    return found


def test_stages_import_only_downwards():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = room("borderzone." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        if here == "synth":
            continue
        for line, module in imports(path):
            there = room(module)
            if there == "synth" or STAGES.index(there) > STAGES.index(here):
                upward.append(f"{path.relative_to(REPO)}:{line} ({here}) imports {module}")
    assert not upward, "\n".join(upward)


def test_synth_is_imported_only_by_its_rule_tests_and_benchmarks():
    outside = []
    for top in ("src", "workflow", "data"):
        for path in sorted((REPO / top).rglob("*.py")):
            if "synth" in path.relative_to(REPO).parts or path.name == "build_synthetic_world.py":
                continue
            for line, module in imports(path):
                if room(module) == "synth":
                    outside.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert not outside, "\n".join(outside)


def test_the_walk_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from borderzone.deliver.styles import x\nimport borderzone.synth.world\n")
    assert [room(m) for _, m in imports(bad)] == ["deliver", "synth"]


def test_rule_script_and_function_share_a_name():
    """Rule r in <stage>.smk runs workflow/scripts/r.py, which calls borderzone.<stage>.r."""
    rules = REPO / "workflow" / "rules"
    found = 0
    for smk in sorted(rules.glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        for rule, body in re.findall(
            r"^\s*(?:rule|checkpoint) (\w+):\n(.*?)(?=^\s*(?:rule|checkpoint) |\Z)",
            text,
            re.M | re.S,
        ):
            script = re.search(r'script:\s*\n\s*"\.\./scripts/(\w+)\.py"', body)
            assert script, f"{smk.name}: rule {rule} has no script"
            assert script.group(1) == rule, f"{smk.name}: rule {rule} runs {script.group(1)}.py"
            code = (REPO / "workflow" / "scripts" / f"{rule}.py").read_text(encoding="utf-8")
            assert re.search(rf"^from borderzone\.{smk.stem} import .*\b{rule}\b", code, re.M), (
                f"workflow/scripts/{rule}.py does not call borderzone.{smk.stem}.{rule}"
            )
            found += 1
    assert found >= 19
