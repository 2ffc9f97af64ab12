"""Issue 9: configuration and packs from a scanned repository only select and parameterise rules.

Loading them never executes code, and they cannot name files to write (baseline, report, pack):
those come from the command line only.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "themis_lint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_a_pack_with_python_tags_is_refused_without_running_them(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "evil.yaml").write_text(
        f"from: '1.4'\nto: '1.5'\nchanges:\n  - !!python/object/apply:os.system ['touch {marker}']\n")
    result = cli(tmp_path, "check", "--no-cache", "--pack", "evil.yaml", ".")
    assert result.returncode == 2 and "evil.yaml:" in result.stderr
    assert not marker.exists()


def test_project_config_cannot_name_output_or_pack_files(tmp_path: Path) -> None:
    for key in ("baseline", "write-baseline", "pack", "report", "cache-dir"):
        (tmp_path / ".themis-lint.toml").write_text(f'{key} = "../../outside"\n')
        result = cli(tmp_path, "check", "--no-cache", ".")
        assert result.returncode == 2 and "unknown" in result.stderr.lower(), key
    assert not (tmp_path.parent.parent / "outside").exists()


def test_project_config_with_wrong_types_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.themis-lint]\nselect = "TH101"\n')
    result = cli(tmp_path, "check", "--no-cache", ".")
    assert result.returncode == 2 and "select" in result.stderr
