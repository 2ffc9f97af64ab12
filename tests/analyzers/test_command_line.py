"""Command-line surface: wrappers with arguments, `sh -c` scripts, multi-line YAML scalars."""
from __future__ import annotations

import pytest

from themis_lint.parse import commands
from themis_lint.model import Safety
from themis_lint.parse.shell_words import split_commands

from tests.helpers import fix, run

FLAGS = ["TH101", "TH103"]


def _found(text: str, path: str = "scripts/x.sh") -> list[tuple[int, int, str, str | None]]:
    result = run(text, path, select=FLAGS)
    return [(f.row, f.column, f.code, f.fix and f.fix.safety.value) for f in result.findings]


@pytest.mark.parametrize("line,program", [
    ("sudo -u themis themisdb --x", "themisdb"),
    ("sudo -Eu themis themisdb --x", "themisdb"),
    ("sudo -uthemis -E themisdb --x", "themisdb"),
    ("sudo --user=themis VAR=1 themisdb --x", "themisdb"),
    ("exec gosu themis themisdb-server --x", "themisdb-server"),
    ("/usr/local/bin/su-exec themis:themis themisdb --x", "themisdb"),
    ("chpst -u themis -e /env themisdb --x", "themisdb"),
    ("setpriv --reuid=themis --regid themis --init-groups themisdb --x", "themisdb"),
    ("runuser -u themis -- themisdb --x", "themisdb"),
    ("env -i A=1 B=2 themisdb --x", "themisdb"),
    ("nice -n 5 ionice -c2 -n7 themisdb --x", "themisdb"),
    ("nice -5 themisdb --x", "themisdb"),
    ("timeout -s KILL 10 themisdb --x", "themisdb"),
    ("numactl --interleave all themisdb-server --x", "themisdb-server"),
    ("taskset -c 0-3 themisdb --x", "themisdb"),
    ("/sbin/tini -- themisdb --x", "themisdb"),
])
def test_wrappers_are_skipped_with_their_arguments(line: str, program: str) -> None:
    words = split_commands(line)[0]
    assert words[commands.command_start(words)].value.endswith(program)


@pytest.mark.parametrize("line,script", [
    ("sh -c 'a b'", "a b"), ("/bin/bash -lc 'a'", "a"), ("sh -e -c -- 'a'", "a"),
    ("bash -o pipefail -c 'a'", "a"), ("gosu x sh -c 'a'", "a"),
    ("sh script.sh", None), ("echo sh -c 'a'", None), ("sh -e 'a'", None),
])
def test_shell_script_word(line: str, script: str | None) -> None:
    word = commands.shell_script(split_commands(line)[0])
    assert (word.value if word else None) == script


@pytest.mark.parametrize("text", [
    "redis-server --cache.maxSize 1\n",
    "echo themisdb-server --cache.maxSize\n",
    "themisdb-server --storage.journalSizeLimit 1\n",
    "echo sh -c 'themisdb-server --cache.maxSize 1'\n",
    "sudo -u themis redis-server --cache.maxSize 1\n",
    "timeout 10 echo themisdb --cache.maxSize 1\n",
    "sh -c 'redis-server --cache.maxSize 1'\n",
])
def test_traps_stay_unfound(text: str) -> None:
    assert _found(text) == []


def test_sh_c_nesting_is_bounded() -> None:
    two = "sh -c \"sh -c 'themisdb --cache.maxSize 1'\"\n"
    assert _found(two) == [(1, 26, "TH101", "safe")]
    three = "sh -c \"sh -c 'sh -c themisdb\\ --cache.maxSize'\"\n"
    assert _found(three) == []


def test_removal_inside_a_script_keeps_the_rest() -> None:
    text = "sh -c 'exec themisdb --server.requireAuthentication true --cache.size=1'\n"
    assert fix(text, "x.sh") == "sh -c 'exec themisdb --cache.size=1'\n"


def test_unmappable_script_is_reported_on_the_word_without_fix() -> None:
    text = 'bash -c "themisdb --server.requireAuthentication \\"x\\""\n'
    result = run(text, "x.sh", select=FLAGS)
    assert [(f.row, f.column, f.fix) for f in result.findings] == [(1, 9, None)]
    assert "no fix" in result.findings[0].message
    assert fix(text, "x.sh") == text


def test_systemd_and_makefile_scripts() -> None:
    unit = "[Service]\nExecStart=/bin/sh -c 'exec /usr/bin/themisdb-server --cache.maxSize 1GB'\n"
    assert fix(unit, "themisdb.service") == unit.replace("maxSize", "size")


def test_dockerfile_cmd_script_with_themisdb_image_is_found_once() -> None:
    text = 'FROM themisdb:1.3\nCMD ["sh", "-c", "exec themisdb-server --cache.maxSize 1GB"]\n'
    assert _found(text, "Dockerfile") == [(2, 42, "TH101", "safe")]


def test_crlf_folded_block() -> None:
    text = ("services:\r\n  db:\r\n    image: themisdb\r\n    command: >\r\n      themisdb-server\r\n"
            "      --server.requireAuthentication true\r\n      --cache.maxSize 1GB\r\n"
            "    ports: [\"1:1\"]\r\n")
    assert _found(text, "compose.yaml") == [(6, 9, "TH103", "unsafe"), (7, 9, "TH101", "safe")]
    assert fix(text, "compose.yaml", Safety.UNSAFE) == text.replace(
        "      --server.requireAuthentication true\r\n", "").replace("maxSize", "size")


def test_block_scalar_ends_at_the_next_key() -> None:
    text = ("services:\n  db:\n    image: themisdb\n    command: >-\n      themisdb-server\n\n"
            "      --cache.maxSize 1GB\n    environment:\n      X: --cache.maxSize\n")
    assert _found(text, "compose.yaml") == [(7, 9, "TH101", "safe")]


def test_quoted_word_across_folded_lines_is_reported_only() -> None:
    text = ('services:\n  db:\n    image: x\n    command: >\n      sh -c "themisdb-server\n'
            '      --cache.maxSize 1GB"\n')
    result = run(text, "compose.yaml", select=FLAGS)
    assert [(f.row, f.code, f.fix) for f in result.findings] == [(4, "TH101", None)]


def test_multi_line_double_quoted_scalar() -> None:
    text = ('services:\n  db:\n    image: themisdb\n    command: "themisdb-server\n'
            '      --cache.maxSize 1GB"\n')
    assert fix(text, "compose.yaml") == text.replace("maxSize", "size")


def test_kubernetes_folded_item_script() -> None:
    text = ("spec:\n  containers:\n    - name: t\n      image: busybox\n      command:\n        - sh\n"
            "        - -c\n        - >-\n          exec themisdb-server\n          --cache.maxSize 1GB\n")
    assert fix(text, "k8s.yaml") == text.replace("maxSize", "size")


def test_other_image_string_command_is_not_a_server() -> None:
    text = "services:\n  db:\n    image: redis\n    command: |\n      --cache.maxSize 1GB\n"
    assert _found(text, "compose.yaml") == []


def test_plain_string_command_in_a_flow_map() -> None:
    text = "spec: {containers: [{name: t, image: themisdb, command: themisdb --cache.maxSize 1}]}\n"
    assert fix(text, "k8s.yaml") == text.replace("maxSize", "size")


@pytest.mark.parametrize("text", ["sh -c\n", "sudo\n", "sh '' -c\n", "gosu\n", "bash -o\n", "timeout 5\n"])
def test_incomplete_commands_do_not_crash(text: str) -> None:
    assert _found(text) == []
