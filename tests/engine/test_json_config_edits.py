"""Config fixes in the file's own layout: multi-line JSON objects, tabs, empty objects, YAML flow maps.

rules/docs/TH101-config-key-renamed.md and rules/docs/TH102-config-key-required.md: "keeping the file's indentation and key order", "creating parents as needed, in
the file's indentation; JSON files get a member in the right object".
"""
from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from tests.helpers import fix, run
from themis_lint.context import default_context
from themis_lint.pipeline import Options
from tests.helpers import check_file
from themis_lint.model import Safety


def _fixed(text: str, path: str, select=None, level: Safety = Safety.SAFE) -> str:
    result = run(text, path, level, select)
    assert not result.errors, result.errors
    out = text if result.fixed is None else result.fixed
    again = run(out, path, level, select)
    assert again.fixed is None, "a second fix changed the output"
    return out


# ---- JSON: multi-line objects ----------------------------------------------

FOUR = """{
    "server": {
        "endpoint": "x",
        "statisticsEnabled": true
    },
    "query": {"spillToDisk": true},
    "storage": {
        "directory": "/data"
    }
}
"""


def test_created_parent_is_multi_line_in_four_space_file() -> None:
    assert _fixed(FOUR, "themisdb.json") == FOUR.replace(
        '        "directory": "/data"\n',
        '        "directory": "/data",\n'
        '        "rocksdb": {\n'
        '            "compression": "lz4"\n'
        '        }\n')


def test_nested_rename_creates_multi_line_object_in_place() -> None:
    text = '{\n    "storage": {\n        "journalSize": "32MB",\n        "directory": "/data"\n    }\n}\n'
    assert _fixed(text, "themisdb.json", select=["TH101"]) == (
        '{\n    "storage": {\n        "rocksdb": {\n            "walSize": "32MB"\n        },\n'
        '        "directory": "/data"\n    }\n}\n')


def test_nested_rename_into_existing_multi_line_object() -> None:
    text = ('{\n  "storage": {\n    "journalSize": "32MB",\n    "rocksdb": {\n      "compression": "zstd"\n'
            '    }\n  }\n}\n')
    assert _fixed(text, "themisdb.json", select=["TH101"]) == (
        '{\n  "storage": {\n    "rocksdb": {\n      "compression": "zstd",\n      "walSize": "32MB"\n'
        '    }\n  }\n}\n')


def test_missing_top_level_section_is_multi_line() -> None:
    text = '{\n  "server": {\n    "endpoint": "x",\n    "statisticsEnabled": true\n  },\n' \
           '  "query": {\n    "spillToDisk": true\n  }\n}\n'
    assert _fixed(text, "themisdb.json") == text.replace(
        '  }\n}\n', '  },\n  "storage": {\n    "rocksdb": {\n      "compression": "lz4"\n    }\n  }\n}\n')


def test_one_line_file_stays_compact() -> None:
    text = ('{"server": {"endpoint": "x", "statisticsEnabled": true}, "query": {}, '
            '"storage": {"directory": "/d"}}')
    assert _fixed(text, "themisdb.json") == (
        '{"server": {"endpoint": "x", "statisticsEnabled": true}, "query": {"spillToDisk": true}, '
        '"storage": {"directory": "/d", "rocksdb": {"compression": "lz4"}}}')


def test_one_line_object_in_multi_line_file_stays_one_line() -> None:
    text = '{\n  "server": {"endpoint": "x", "statisticsEnabled": true},\n' \
           '  "query": {"spillToDisk": true},\n' \
           '  "storage": {"directory": "/d"}\n}\n'
    assert _fixed(text, "themisdb.json") == text.replace(
        '"directory": "/d"}', '"directory": "/d", "rocksdb": {"compression": "lz4"}}')


# ---- JSON: tabs, CRLF, BOM ---------------------------------------------------

def test_tab_indented_file() -> None:
    text = '{\n\t"server": {\n\t\t"endpoint": "x"\n\t},\n\t"query": {"spillToDisk": true},\n' \
           '\t"storage": {\n\t\t"directory": "/d"\n\t}\n}\n'
    assert _fixed(text, "themisdb.json") == (
        '{\n\t"server": {\n\t\t"endpoint": "x",\n\t\t"statisticsEnabled": true\n\t},\n'
        '\t"query": {"spillToDisk": true},\n'
        '\t"storage": {\n\t\t"directory": "/d",\n'
        '\t\t"rocksdb": {\n\t\t\t"compression": "lz4"\n\t\t}\n\t}\n}\n')


def test_tab_indented_nested_rename() -> None:
    text = '{\n\t"storage": {\n\t\t"journalSize": "32MB"\n\t}\n}\n'
    assert _fixed(text, "themisdb.json", select=["TH101"]) == (
        '{\n\t"storage": {\n\t\t"rocksdb": {\n\t\t\t"walSize": "32MB"\n\t\t}\n\t}\n}\n')


def test_crlf_kept() -> None:
    text = '{\r\n   "server": {\r\n      "endpoint": "x",\r\n      "statisticsEnabled": true\r\n   },\r\n' \
           '   "query": {},\r\n   "storage": {\r\n      "rocksdb": {"compression": "lz4"}\r\n   }\r\n}\r\n'
    out = _fixed(text, "themisdb.json")
    assert out == text.replace('"query": {}', '"query": {\r\n      "spillToDisk": true\r\n   }')


def test_bom_and_crlf_kept_in_the_written_file(tmp_path) -> None:
    path = tmp_path / "themisdb.json"
    body = '{\r\n  "server": {\r\n    "statisticsEnabled": true\r\n  },\r\n  "query": {\r\n' \
           '    "spillToDisk": true\r\n  },\r\n  "storage": {\r\n    "directory": "/d"\r\n  }\r\n}\r\n'
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    result = check_file(str(path), "themisdb.json", default_context(), Options(fix=Safety.SAFE))
    assert not result.errors
    assert path.read_bytes() == b"\xef\xbb\xbf" + body.replace(
        '"directory": "/d"\r\n', '"directory": "/d",\r\n    "rocksdb": {\r\n      "compression": "lz4"\r\n'
        '    }\r\n').encode()


# ---- JSON: empty objects -----------------------------------------------------

def test_empty_object_receives_missing_key_multi_line() -> None:
    text = '{\n    "server": {\n        "statisticsEnabled": true\n    },\n    "query": {},\n' \
           '    "storage": {\n        "rocksdb": {\n            "compression": "lz4"\n        }\n    }\n}\n'
    assert _fixed(text, "themisdb.json") == text.replace(
        '"query": {}', '"query": {\n        "spillToDisk": true\n    }')


def test_empty_object_receives_missing_key_compact() -> None:
    text = '{"server": {"statisticsEnabled": true}, "query": { }, "storage.rocksdb.compression": "lz4"}'
    assert _fixed(text, "themisdb.json") == text.replace('"query": { }', '"query": {"spillToDisk": true}')


def test_empty_object_receives_missing_parent_and_key() -> None:
    text = '{\n  "server": {\n    "statisticsEnabled": true\n  },\n  "query": {"spillToDisk": true},\n' \
           '  "storage": {}\n}\n'
    assert _fixed(text, "themisdb.json") == text.replace(
        '"storage": {}', '"storage": {\n    "rocksdb": {\n      "compression": "lz4"\n    }\n  }')


def test_nested_rename_into_empty_object() -> None:
    text = '{\n  "storage": {\n    "journalSize": "32MB",\n    "rocksdb": {}\n  }\n}\n'
    assert _fixed(text, "themisdb.json", select=["TH101"]) == (
        '{\n  "storage": {\n    "rocksdb": {\n      "walSize": "32MB"\n    }\n  }\n}\n')


def test_fixed_json_still_parses_with_every_rule() -> None:
    text = '{\n    "server": {\n        "requireAuthentication": true,\n' \
           '        "maximalQueueSize": 4096\n    },\n' \
           '    "cache": {"maxSize": "1GB"},\n    "query": {},\n' \
           '    "storage": {\n        "journalSize": "32MB"\n' \
           '    }\n}\n'
    out = fix(text, "themisdb.json", Safety.UNSAFE)
    assert json.loads(out) == {
        "server": {"maxQueueSize": 4096, "statisticsEnabled": True},
        "cache": {"size": "1GB"},
        "query": {"spillToDisk": True},
        "storage": {"rocksdb": {"walSize": "32MB", "compression": "lz4"}},
    }
    assert ('        "rocksdb": {\n            "walSize": "32MB",\n'
            '            "compression": "lz4"\n        }') in out


# ---- YAML flow-style maps ----------------------------------------------------

FLOW = "server: {endpoint: x, statisticsEnabled: true}\nquery: {spillToDisk: true}\n" \
       "storage: {journalSize: 32MB, rocksdb: {compression: lz4}}\n"


def _yaml(text: str):
    return YAML(typ="safe", pure=True).load(text)


def test_flow_map_nested_rename() -> None:
    assert _fixed(FLOW, "themisdb.yaml") == FLOW.replace(
        "{journalSize: 32MB, rocksdb: {compression: lz4}}", "{rocksdb: {compression: lz4, walSize: 32MB}}")


def test_flow_map_nested_rename_creates_parent_in_place() -> None:
    text = "storage: {journalSize: 32MB, directory: /d}\n"
    assert _fixed(text, "themisdb.yaml", select=["TH101"]) == \
        "storage: {rocksdb: {walSize: 32MB}, directory: /d}\n"


def test_flow_map_required_key() -> None:
    text = "server: {endpoint: x}\nquery: {spillToDisk: true}\nstorage: {directory: /d}\n"
    out = _fixed(text, "themisdb.yaml")
    assert out == "server: {endpoint: x, statisticsEnabled: true}\nquery: {spillToDisk: true}\n" \
                  "storage: {directory: /d, rocksdb: {compression: lz4}}\n"


def test_flow_map_removed_key_keeps_the_others() -> None:
    text = "server: {requireAuthentication: true, statisticsEnabled: true}\nquery: {spillToDisk: true}\n" \
           "storage: {rocksdb: {compression: lz4}}\n"
    out = _fixed(text, "themisdb.yaml", level=Safety.UNSAFE)
    assert out == text.replace("requireAuthentication: true, ", "")
    last = "server: {statisticsEnabled: true, requireAuthentication: true}\n"
    assert _fixed(last, "themisdb.yaml", select=["TH103"], level=Safety.UNSAFE) == \
        "server: {statisticsEnabled: true}\n"


def test_flow_map_empty_receives_key() -> None:
    text = "server: {statisticsEnabled: true}\nquery: {}\nstorage: {rocksdb: {compression: lz4}}\n"
    assert _fixed(text, "themisdb.yaml") == text.replace("query: {}", "query: {spillToDisk: true}")


def test_block_value_with_comment_into_flow_map_is_report_only() -> None:
    text = "storage:\n  journalSize: 32MB  # per node\n  rocksdb: {compression: lz4}\n"
    result = run(text, "themisdb.yaml", Safety.SAFE, ["TH101"])
    assert [f.code for f in result.findings] == ["TH101"]
    assert result.findings[0].fix is None and not result.errors


@pytest.mark.parametrize("text", [
    FLOW,
    "storage: {journalSize: 32MB}\nserver: {requireAuthentication: true, endpoint: 'a, b'}\n",
    "storage: {journalSize: \"32MB\", rocksdb: {}}\ncache: {maxSize: 1GB}\n",
    "storage:\n  journalSize: 32MB\n  rocksdb: {compression: lz4}\nquery: {}\n",
])
def test_flow_maps_never_break_the_file(text: str) -> None:
    result = run(text, "themisdb.yaml", Safety.UNSAFE)
    assert not result.errors, result.errors
    out = text if result.fixed is None else result.fixed
    data = _yaml(out)
    assert "journalSize" not in str(data)
