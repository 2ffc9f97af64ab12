"""Deterministic generator of realistic client repositories for the benchmarks (issue 8).

Writes a corpus of Python, JS/TS, YAML/JSON configs, shell, AQL, docs and many unrelated
files; a chosen fraction holds deprecated constructs, listed in manifest.json as
[path, line, code]. English prose mentions "within" and "fulltext" on purpose: real
repositories do, and the prefilter must not be fooled into parsing them.

    python benchmarks/generate.py OUT --files 10000 --dirty 0.05 --seed 1

Every surface docs/surfaces.md lists appears among the dirty files: server configs (flat, nested, JSON),
configs embedded in Kubernetes ConfigMaps and Helm values, command lines (shell, Dockerfile,
docker-compose, Kubernetes, systemd), Python and JS/TS client code, `.aql` files, query bodies
in curl calls and JSON files, nginx configs and index definitions in dumps and migrations. The
clean files include migrated (1.4) ThemisDB usage and near misses that hold trigger literals but
must not be findings (`/_admin/log/entries`, `idx.type === 'skiplist'`, chai's `.within(1, 10)`,
`ST_Within(...)`, `cache.maxSize` in an application's YAML, ...): they cost parsing time and
catch false positives. The manifest lists what the rules say must be found, line by line; the
same (line, code) pair may appear several times (TH102 reports each missing key at 1:1).
"""
from __future__ import annotations

import argparse
import json
import os
import random

# English prose for comments and docs. NOISE holds the words "within" and "fulltext" (trigger
# literals of TH401/TH402) used as English; about one sentence in 25 is noise, so about one
# code file in eight mentions one of them.
NOISE = ["Returns the orders placed within the last week.", "A fulltext index would help here later.",
         "Results are cached within the request scope.", "The log rotates within 24 hours.",
         "Budget reviews happen within each quarter.", "Return documents within (budget, time) limits.",
         "We evaluated fulltext search (Elastic) last year.", "Retries stay within the SLA; see the runbook.",
         "Invoices are matched within two business days.", "Fulltext: tokens are lower-cased first."]
NEUTRAL = ["This module is documented in the wiki.", "The skip list in the scheduler is unrelated.",
           "Keep this in sync with the API schema.", "Called by the nightly export job.",
           "Values are validated before they are stored.", "See the runbook before changing the defaults.",
           "The cache is cleared on deploy.", "Errors are logged and retried twice.",
           "Only admins may call this endpoint.", "Timestamps are UTC throughout.",
           "Prices are in cents to avoid rounding.", "Do not rename: the mobile app depends on it."]


PROSE = NOISE + NEUTRAL


def _sentence(r: random.Random) -> str:
    return r.choice(NOISE) if r.random() < 0.04 else r.choice(NEUTRAL)


WORDS = ("order customer invoice item cart price stock shipment report session token user account "
         "payment refund discount coupon address region warehouse supplier catalogue").split()


def _py_module(r: random.Random, i: int) -> str:
    parts = [f'"""Module {i}: {_sentence(r)}"""\nimport os\nimport logging\n\nlog = logging.getLogger(__name__)\n']
    for k in range(r.randint(1, 8)):
        w = r.choice(WORDS)
        parts.append(f'\n\ndef {w}_handler_{i}_{k}(event, limit={k + 10}):\n'
                     f'    """Handle a {w} event. {_sentence(r)}"""\n'
                     f'    value = event.get("{w}_{k}", {i % 97})\n'
                     f'    if value > limit:\n        log.info("%s over limit %d", "{w}", limit)\n'
                     f'        return value * {k + 2}\n'
                     f'    items = [x for x in event.get("items", []) if x.get("{w}")]\n'
                     f'    return len(items) or os.environ.get("MODE", "dev")\n')
    return "".join(parts)


def _js_module(r: random.Random, i: int) -> str:
    parts = [f"// {_sentence(r)}\nimport {{ api }} from './api.js';\n"]
    for k in range(r.randint(1, 6)):
        w = r.choice(WORDS)
        parts.append(f"\nexport async function {w}{i}_{k}(req) {{\n"
                     f"  const limit = req.query?.limit ?? {(i + k) % 50};\n"
                     f"  const rows = await api.get(`/api/{w}s?limit=${{limit}}`);\n"
                     f"  return rows.filter((row) => row.{w}Id !== undefined).map((row) => ({{ ...row, seen: true }}));\n"
                     f"}}\n")
    return "".join(parts)


def _ts_module(r: random.Random, i: int) -> str:
    parts = [f"/** {_sentence(r)} */\nexport interface Item{i} {{ id: number; name?: string }}\n"
             f"export const load{i} = async (id: number): Promise<Item{i}> => ({{ id, name: 'n{i}' }});\n"]
    for k in range(r.randint(0, 5)):
        w = r.choice(WORDS)
        parts.append(f"\nexport class {w.title()}Service{i}_{k} {{\n  #cache = new Map<string, Item{i}>();\n"
                     f"  constructor(private readonly base: string) {{}}\n"
                     f"  async find(key: string): Promise<Item{i} | undefined> {{\n"
                     f"    return this.#cache.get(key) ?? (await fetch(`${{this.base}}/{w}/${{key}}`)).json();\n"
                     f"  }}\n}}\n")
    return "".join(parts)


CLEAN = {
    "py": _py_module,
    "js": _js_module,
    "ts": _ts_module,
    "yaml": lambda r, i: f"# {_sentence(r)}\nservice:\n  name: svc-{i}\n  replicas: {i % 5 + 1}\n  port: {8000 + i % 100}\n",
    "json": lambda r, i: json.dumps({"name": f"pkg-{i}", "version": "1.0.0", "description": _sentence(r)}, indent=2) + "\n",
    "sh": lambda r, i: f"#!/bin/sh\n# {_sentence(r)}\nset -e\necho building {i}\nmake -C src all\n",
    "md": lambda r, i: f"# Notes {i}\n\n{_sentence(r)} {_sentence(r)}\n\nSee `docs/setup.md`.\n",
    "css": lambda r, i: f".item-{i} {{ color: #{i % 999:03d}; margin: {i % 8}px; }}\n",
    "html": lambda r, i: f"<!doctype html><title>{i}</title><p>{_sentence(r)}</p>\n",
    "txt": lambda r, i: f"{_sentence(r)}\n" * 3,
    "go": lambda r, i: f"package main\n\n// {_sentence(r)}\nfunc f{i}() int {{ return {i} }}\n",
    # --- ThemisDB usage already migrated to 1.4, and near misses: must produce no finding
    "conf14": lambda r, i: (f"# ThemisDB 1.4 server configuration, node {i}\nserver.endpoint: tcp://0.0.0.0:{8529 + i % 3}\n"
                            "server.maxQueueSize: 4096\nserver.statisticsEnabled: true\n"
                            "storage.rocksdb.walSize: 64MB\nstorage.rocksdb.compression: lz4\n"
                            "cache.size: 1GB\nquery.spillToDisk: true\n"),
    "aql14": lambda r, i: ("// nearby stores, 1.4 style\nFOR s IN stores\n"
                           "  FILTER GEO_DISTANCE([s.longitude, s.latitude], [@lon, @lat]) <= @radius\n"
                           f"  FILTER s.kind == \"{r.choice(WORDS)}\" AND ST_Within(s.area, @zone)\n"
                           "  SORT s.name\n  LIMIT 20\n  RETURN s\n"),
    "py14": lambda r, i: ("from arango import ArangoClient\n\n\ndef setup(db):\n"
                          "    users = db.collection('users')\n"
                          "    users.add_persistent_index(fields=['email'], unique=True)\n"
                          "    return db.aql.execute(\n"
                          "        'FOR a IN articles SEARCH ANALYZER(a.body IN TOKENS(@q, \"text_en\"), \"text_en\") RETURN a',\n"
                          "        bind_vars={'q': 'within budget'})\n"),
    "negpy": lambda r, i: ('"""Return documents within (budget, time)."""\nimport requests\n\n'
                           'LOG_URL = "/_admin/log/entries"\n# GET /_admin/log was removed in 1.4\n\n\n'
                           'def report(index, cursor):\n'
                           '    if index["type"] == "skiplist":\n        print("old index", index["fields"])\n'
                           '    cursor.execute("SELECT id FROM docs WHERE fulltext = 1")\n'
                           '    return requests.get("http://db:8529/_admin/log/level", timeout=3)\n\n\n'
                           'class Legacy:\n    def add_skiplist_index(self, fields):\n        return fields\n'),
    "negjs": lambda r, i: ("// POST /_api/collection/create was the 1.3 way\n"
                           "describe('range', () => {\n  it('is close', () => {\n"
                           "    expect(score).to.be.within(1, 10);\n  });\n});\n"
                           "export const isOld = (idx) => idx.type === 'skiplist';\n"
                           "export const other = () => fetch('/_api/collection/created');\n"
                           "export const search = (c, q) => c.fulltext('body', q);\n"),
    "negaql": lambda r, i: ("// FULLTEXT(articles, \"content\", \"x\") was the 1.3 way\nFOR d IN c\n"
                            "  FILTER WITHIN_RECTANGLE(c, 1, 2, 3, 4) AND ST_DWithin(d.a, d.b, 5)\n"
                            "  FILTER d.within == @within AND d.fulltext != 'FULLTEXT(a, b, c)'\n"
                            "  RETURN MYLIB::FULLTEXT(d)\n"),
    "negsh": lambda r, i: ("#!/bin/sh\n# we used to call curl http://db:8529/_admin/log here\n"
                           "echo \"POST /_api/collection/create is deprecated\"\n"
                           "redis-server --cache.maxSize 1GB &\n"
                           "curl -s http://db:8529/_admin/log/entries | jq .\n"
                           "sed -i 's/storage\\.journalSize/storage.rocksdb.walSize/g' \"$CONFIG_FILE\"\n"),
    "negyaml": lambda r, i: ("# application settings (not a ThemisDB config)\ncache.maxSize: 100\n"
                             "log_endpoint: /_admin/log/entries\nindex:\n  type: skiplist\n  levels: 12\n"
                             "server:\n  requireAuthentication: true\n"),
    "negjson": lambda r, i: json.dumps({"query": "fulltext search within the product catalogue",
                                        "description": "FOR d IN FULLTEXT(a, 'b', 'c') RETURN d",
                                        "url": "/_api/simple/all-keys"}, indent=2) + "\n",
    "dockerfile": lambda r, i: (f"FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
                                f"RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
                                f"EXPOSE {8000 + i % 100}\nCMD [\"gunicorn\", \"app:app\"]\n"),
    "nginx": lambda r, i: ("server {\n    listen 80;\n    location /logs {\n"
                           "        proxy_pass http://themisdb:8529/_admin/log/entries;\n    }\n"
                           "    location / { proxy_pass http://app:8000; }\n}\n"),
}
# kinds whose file name is not file{i}.{kind}
NAMES = {"conf14": "themisdb-{i}.conf", "aql14": "query{i}.aql", "py14": "store{i}.py", "negpy": "legacy{i}.py",
         "negjs": "legacy{i}.test.js", "negaql": "near{i}.aql", "negsh": "ops{i}.sh", "negyaml": "settings{i}.yaml",
         "negjson": "search{i}.json", "dockerfile": "Dockerfile.{i}", "nginx": "site{i}.nginx.conf"}
WEIGHTS = {"py": 22, "js": 12, "ts": 12, "yaml": 8, "json": 8, "sh": 4, "md": 10, "css": 6, "html": 6, "txt": 6,
           "go": 6, "conf14": 0.3, "aql14": 0.3, "py14": 0.3, "negpy": 0.3, "negjs": 0.3, "negaql": 0.2,
           "negsh": 0.2, "negyaml": 0.2, "negjson": 0.2, "dockerfile": 0.6, "nginx": 0.3}

# (extension, file text, [(line, code)]); the name is themisdb-{i}.conf or mod{i}.{ext}
DIRTY = [
    ("py", 'import requests\n\n\ndef log(base):\n    return requests.get(f"{base}/_admin/log", timeout=5)\n',
     [(5, "TH202")]),
    ("py", "def idx(coll):\n    coll.add_skiplist_index(fields=['a'])\n    coll.add_index({'type': 'skiplist', 'fields': ['b']})\n",
     [(2, "TH301"), (3, "TH301")]),
    ("py", 'def near(db):\n    return db.aql.execute(\n        "FOR d IN places FILTER WITHIN(d, @lat, @lon, 100) RETURN d")\n',
     [(3, "TH402")]),
    ("js", "async function mk(db) {\n  return db._connection.POST('/_api/collection/create', {name: 'x'});\n}\n",
     [(2, "TH201")]),
    ("ts", 'export const q = (term: string) => aql`\n  FOR p IN FULLTEXT(products, "text", ${term})\n    RETURN p`;\n',
     [(2, "TH401")]),
    ("js", "await coll.ensureIndex({ type: 'skiplist', fields: ['ts'] });\n", [(1, "TH301")]),
    ("sh", "#!/bin/sh\nexec themisdb-server \\\n  --storage.journalSize 32MB\n", [(3, "TH101")]),
    ("sh", "#!/bin/sh\ncurl -s http://localhost:8529/_admin/log\n", [(2, "TH202")]),
    ("aql", "FOR d IN places\n  FILTER WITHIN(d, 1.5, 2.5, 100)\n  RETURN d\n", [(2, "TH402")]),
    ("conf", "storage.journalSize: 32MB\nstorage.rocksdb.compression: lz4\nserver.statisticsEnabled: true\n"
             "query.spillToDisk: true\n", [(1, "TH101")]),
]

_FULL = "storage.rocksdb.compression: lz4\nserver.statisticsEnabled: true\nquery.spillToDisk: true\n"
# (file name with {i}, file text, [(line, code)]): the other surfaces and shapes of docs/surfaces.md
DIRTY_MORE = [
    # Python client code
    ("client{i}.py", 'import requests\n\n\ndef create_collection(base, name):\n'
                     '    return requests.post(f"{base}/_api/collection/create", json={"name": name})\n',
     [(5, "TH201")]),
    ("export{i}.py", "def export(db):\n    docs = db._connection.PUT('/_api/simple/all', {'collection': 'users'})\n"
                     "    return [d['_key'] for d in docs]\n", [(2, "TH202")]),
    ("search{i}.py", 'QUERY = """\nFOR a IN FULLTEXT(articles, "content", @term, 20)\n  RETURN a\n"""\n\n\n'
                     'def search(db, term):\n    return db.aql.execute(QUERY, bind_vars={"term": term})\n',
     [(2, "TH401")]),
    ("pyarango{i}.py", 'def indexes(users, index, cursor):\n    users.ensureSkiplistIndex(["email"], unique=True)\n'
                       '    if index["type"] == "skiplist":\n        return None\n'
                       '    cursor.execute("SELECT * FROM t WHERE within = 1")\n'
                       '    return "/_admin/log/entries"\n', [(2, "TH301")]),
    ("routes{i}.py", 'OLD_TO_NEW = {"/_admin/log": "/_admin/log/entries"}\nA = "http://h:8529/_admin/log?upto=3"\n',
     [(1, "TH202"), (2, "TH202")]),
    # JavaScript / TypeScript client code
    ("indexes{i}.js", "export async function setup(db) {\n  const c = db.collection('events');\n"
                      "  await c.createSkipList(['createdAt']);\n  expect(c.count).to.be.within(1, 10);\n"
                      "  return c.indexes().then((all) => all.filter((idx) => idx.type === 'skiplist'));\n}\n",
     [(3, "TH301")]),
    ("stores{i}.js", "export const near = (db, lat, lon, r) =>\n"
                     "  db.query('FOR s IN stores FILTER WITHIN(s, @lat, @lon, @r) RETURN s', { lat, lon, r });\n",
     [(2, "TH402")]),
    ("logs{i}.ts", "export async function recent(base: string): Promise<string[]> {\n"
                   "  const res = await fetch(`${base}/_admin/log?upto=warning`);\n  return (await res.json()).messages;\n}\n",
     [(2, "TH202")]),
    ("arangosh{i}.js", 'db.users.ensureSkiplist("age");\ndb.users.ensureUniqueSkiplist("email");\n',
     [(1, "TH301"), (2, "TH301")]),
    ("Form{i}.tsx", "export const NewCollection = ({ onDone }: Props) => (\n"
                    '  <form action="/_api/collection/create" method="post" onSubmit={onDone}>\n'
                    '    <input name="name" />\n  </form>\n);\n', [(2, "TH201")]),
    # shell, Dockerfile, compose, Kubernetes, systemd, nginx
    ("export{i}.sh", "#!/bin/sh\nset -eu\ncurl -X PUT http://db:8529/_api/simple/all -d '{\"collection\": \"users\"}'\n",
     [(3, "TH202")]),
    ("start{i}.sh", "exec themisdb-server \\\n  --server.requireAuthentication true \\\n  --cache.size=1GB\n",
     [(2, "TH103")]),
    ("search{i}.sh", "curl -s -X POST \"http://$HOST/_api/cursor\" \\\n"
                     "  --data-raw '{\"query\": \"FOR doc IN FULLTEXT(articles, \\\"content\\\", @q, 10) RETURN doc\"}'\n",
     [(2, "TH401")]),
    ("setup{i}.bash", "wget -qO- --post-data='{\"name\": \"users\"}' 'http://localhost:8529/_db/app/_api/collection/create'\n",
     [(1, "TH201")]),
    ("Dockerfile.db{i}", "FROM themisdb/themisdb:1.3.5\nCMD [\"--cache.maxSize=2GB\"]\n"
                         "HEALTHCHECK CMD curl -f http://localhost:8529/_admin/log || exit 1\n",
     [(2, "TH101"), (3, "TH202")]),
    ("compose{i}.yaml", "services:\n  db:\n    image: themisdb/themisdb:1.3.5\n    command:\n"
                        "      - --cache.maxSize=1GB\n      - \"--server.maximalQueueSize\"\n      - \"4096\"\n",
     [(5, "TH101"), (6, "TH101")]),
    ("statefulset{i}.yaml", "spec:\n  containers:\n    - name: themis\n      image: themisdb:latest\n"
                            "      command: [\"themisdb-server\", \"--storage.journalSize\", \"32MB\"]\n"
                            "      livenessProbe:\n        httpGet:\n          path: /_admin/log\n          port: 8529\n",
     [(5, "TH101"), (8, "TH202")]),
    ("configmap{i}.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  themisdb.conf: |\n    storage.journalSize: 32MB\n"
                          "    storage.rocksdb.compression: lz4\n    server.statisticsEnabled: true\n"
                          "    query.spillToDisk: true\n", [(5, "TH101")]),
    ("values{i}.yaml", "config:\n  themisdb.conf: |-\n    server.requireAuthentication: true\n"
                       "    storage.rocksdb.compression: lz4\n    server.statisticsEnabled: true\n"
                       "    query.spillToDisk: true\nreplicas: 3\n", [(3, "TH103")]),
    ("themisdb{i}.service", "[Unit]\nDescription=ThemisDB\n\n[Service]\n"
                            "ExecStart=/usr/bin/themisdb-server --storage.journalSize 32MB\nRestart=always\n",
     [(5, "TH101")]),
    ("api{i}.nginx.conf", "server {\n    listen 80;\n    location = /logs {\n"
                          "        proxy_pass \"http://themisdb:8529/_admin/log\";\n    }\n}\n", [(4, "TH202")]),
    # server configs: flat, nested YAML, JSON; TH102 missing keys
    ("themisdb-{i}.yaml", "server:\n  endpoint: tcp://0.0.0.0:8529\n  statisticsEnabled: true\n  maximalQueueSize: 4096\n"
                          "storage:\n  rocksdb:\n    compression: lz4\n  journalSize: 64MB\nquery:\n  spillToDisk: true\n",
     [(4, "TH101"), (8, "TH101")]),
    ("themisdb-{i}.json", '{\n  "server.requireAuthentication": true,\n  "server.endpoint": "tcp://0.0.0.0:8529",\n'
                          '  "server.statisticsEnabled": true,\n  "storage.rocksdb.compression": "lz4",\n'
                          '  "query.spillToDisk": true,\n  "cache.maxSize": "1GB"\n}\n',
     [(2, "TH103"), (7, "TH101")]),
    ("themisdb.node{i}.yaml", "server:\n  endpoint: tcp://0.0.0.0:8529\n  statisticsEnabled: true\nstorage:\n"
                              "  directory: /data\nquery:\n  spillToDisk: false\n", [(4, "TH102")]),
    ("themisdb-{i}.conf", "# ThemisDB server configuration\nserver.endpoint: tcp://0.0.0.0:8529\n"
                          "storage.rocksdb.walSize: 32MB\ncache.size: 1GB\n",
     [(1, "TH102"), (1, "TH102"), (1, "TH102")]),
    ("themisdb-auth{i}.conf", "server.endpoint: tcp://0.0.0.0:8529\n# who may connect\n"
                              "server.requireAuthentication: true   # legacy\n" + _FULL, [(3, "TH103")]),
    # data files: dumps, migrations, saved queries, API collections
    ("orders{i}.structure.json", '{\n  "parameters": {"name": "orders", "type": 2},\n  "indexes": [\n    {\n'
                                 '      "fields": ["created_at"],\n      "type": "skiplist",\n      "unique": false,\n'
                                 '      "sparse": false\n    }\n  ]\n}\n', [(6, "TH301")]),
    ("0007_indexes{i}.yaml", "collection: orders\nindexes:\n  - type: skiplist   # range queries on created_at\n"
                             "    fields: [created_at]\n    sparse: true\n  - type: hash\n    fields: [customer_id]\n",
     [(3, "TH301")]),
    ("saved{i}.json", '{\n  "name": "search-articles",\n'
                      '  "query": "FOR doc IN FULLTEXT(articles, \'content\', @term) RETURN doc",\n'
                      '  "bindVars": {"term": "database"}\n}\n', [(3, "TH401")]),
    ("postman{i}.json", '{"request": {"method": "PUT", "url": "{{base}}/_api/simple/all", '
                        '"body": {"raw": "{\\"collection\\": \\"users\\"}"}}}\n', [(1, "TH202")]),
    ("services{i}.yaml", "themisdb:\n  create_collection_url: http://db:8529/_api/collection/create  # POST\n"
                         "  log_url: http://db:8529/_admin/log/entries\n", [(2, "TH201")]),
    # AQL files
    ("fulltext{i}.aql", 'FOR doc IN FULLTEXT(articles, "content", "search term")\n  RETURN doc\n', [(1, "TH401")]),
    ("geo{i}.aql", "FOR d IN c\n  FILTER NOT WITHIN(d, @lat, @lon, @r) && WITHIN(d, 1, 2, 3) || d.x\n"
                   "  FILTER WITHIN(d, 1, 2, @a ? 1 : 2) ? true : false\n  RETURN d\n",
     [(2, "TH402"), (2, "TH402"), (3, "TH402")]),
    ("hits{i}.aql", "// top hits within the archive\n"
                    "LET hits = (FOR d IN fulltext(articles, \"content\", @q) RETURN d._key)\nRETURN hits\n",
     [(2, "TH401")]),
]
# a dirty file of these kinds gets ordinary code appended, as real files have
FILLER = {"py": _py_module, "js": _js_module, "ts": _ts_module}


def generate(out: str, files: int, dirty: float, seed: int) -> list:
    rng = random.Random(seed)
    manifest = []
    kinds = list(WEIGHTS)
    templates = [(None, *d) for d in DIRTY] + list(DIRTY_MORE)
    n_dirty = int(files * dirty)
    dirty_at = set(rng.sample(range(files), n_dirty))
    for i in range(files):
        folder = os.path.join(out, f"repo{i % 7}", f"pkg{i % 53}")
        os.makedirs(folder, exist_ok=True)
        if i in dirty_at:
            pattern, *rest = templates[i % len(templates)]
            if pattern is None:
                ext, text, found = rest
                name = f"themisdb-{i}.conf" if ext == "conf" else f"mod{i}.{ext}"
            else:
                text, found = rest
                name = pattern.format(i=i)
            ext = name.rsplit(".", 1)[-1]
            if ext in FILLER:
                text += "\n\n" + FILLER[ext](rng, i)
            manifest += [[os.path.relpath(os.path.join(folder, name), out).replace(os.sep, "/"), line, code]
                         for line, code in found]
        else:
            kind = rng.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
            text = CLEAN[kind](rng, i)
            name = NAMES.get(kind, "file{i}." + kind).format(i=i)
        with open(os.path.join(folder, name), "w") as handle:
            handle.write(text)
    with open(os.path.join(out, "manifest.json"), "w") as handle:
        json.dump(sorted(manifest), handle, indent=0)
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--dirty", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    found = generate(args.out, args.files, args.dirty, args.seed)
    print(f"{args.files} files, {len(found)} deprecated constructs in manifest.json")


if __name__ == "__main__":
    main()
