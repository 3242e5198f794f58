"""Search latency of the database backend on PostgreSQL at 100k and 1M synthetic models.

For each scale: (re)creates a bench database, migrates it, loads namespaces and models with
COPY, fills the search tables (`DatabaseBackend().rebuild()`: tsvectors, the sample, the
word list), then builds the secondary indexes (GIN full-text, arrays, sort btrees, trigram
words) and runs VACUUM ANALYZE, timing each step. Then runs a fixed set of 20 searches
through the real code path (`search_query(params, user)` -> `DatabaseBackend().search(query)`),
anonymous and as a user with private models, and prints p50/p95/p99 per query and overall,
the split of each search into its SQL statements (sample counts, the one-statement exact
search, hits of an estimated search, other) and EXPLAIN ANALYZE of the slowest statements.

    .venv/bin/python bench/search.py                      # 100k then 1M (~20 min)
    .venv/bin/python bench/search.py --quick              # 20k models, 3 reps (~15 s)
    .venv/bin/python bench/search.py --models 1000000 --keep          # load once, keep it
    .venv/bin/python bench/search.py --models 1000000 --reuse --keep \
        --only "text:" --sql "SET jit = off" --backend mypkg.MyBackend  # then compare changes

Figures only: nothing here fails on a slow result. The database is dropped at the end unless
`--keep`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import psycopg  # noqa: E402
import search_data  # noqa: E402

SERVER = "postgres://postgres@127.0.0.1:5432"
GOAL_P95_MS = 50.0
SLOW_MS = 1000.0  # a search slower than this gets one warm-up only
CHUNK = 20_000
SETTINGS = (
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "max_parallel_workers_per_gather",
    "jit",
    "random_page_cost",
)
KINDS = ("sample", "search", "hits", "other")


# --- the queries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    params: dict[str, str]
    user: bool = False  # True: the bench user, who owns a namespace with private models
    page: int = 1  # > 1: follow the cursor to this page first, then time that page
    facets: bool = True  # the search page asks for facets; GET /api/models does not


CASES: tuple[Case, ...] = (
    Case("home (no text), facets", {}),
    Case("home as owner of private models", {}, user=True),
    Case("text: bert", {"q": "bert"}),
    Case("text: bert base uncased", {"q": "bert base uncased"}),
    Case("text: customer reviews (card words)", {"q": "customer reviews"}),
    Case("typo: bret", {"q": "bret"}),
    Case("typo: efficentnet", {"q": "efficentnet"}),
    Case("prefix: whisp", {"q": "whisp"}),
    Case("prefix: llama-3-8b-ins", {"q": "llama-3-8b-ins"}),
    Case("filter: task", {"task": "text-classification"}),
    Case("filter: license=mit", {"license": "mit"}),
    Case("filter: language=fr", {"language": "fr"}),
    Case(
        "text + 3 filters",
        {"q": "bert", "task": "text-classification", "language": "en", "license": "apache-2.0"},
    ),
    Case("text + dataset filter: vit imagenet", {"q": "vit", "dataset": "imagenet-1k"}),
    Case("sort downloads: llama", {"q": "llama", "sort": "downloads"}),
    Case("sort trending, library filter", {"sort": "trending_score", "library": "transformers"}),
    Case("sort updated, as owner", {"sort": "lastModified"}, user=True),
    Case("author (big org)", {"author": "google"}),
    Case("deep page 20: sort downloads", {"sort": "downloads"}, page=20),
    Case("API, no facets: text resnet", {"q": "resnet", "limit": "50"}, facets=False),
)


# --- measuring --------------------------------------------------------------------------


@dataclass
class Statement:
    kind: str
    sql: str
    params: Any
    ms: float


@dataclass
class Run:
    ms: float
    statements: list[Statement]

    def split(self) -> dict[str, float]:
        out = dict.fromkeys(KINDS, 0.0)
        for statement in self.statements:
            out[statement.kind] += statement.ms
        out["python"] = max(0.0, self.ms - sum(out.values()))
        return out


@dataclass
class Result:
    case: Case
    total: int = 0
    estimated: bool = False  # the backend estimated the total (and facets) from its sample
    hits: int = 0
    runs: list[Run] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [run.ms for run in self.runs]


def classify(sql: str) -> str:
    """sample: counts over the sample table; search: the one-statement exact search (hits,
    total, facets); hits: the hits of an estimated search; other: exact counts, spelling."""
    if "FROM catalog_search_sample" in sql:
        return "sample"
    if "WITH m AS MATERIALIZED" in sql:
        return "search"
    if sql.startswith("SELECT model_id"):
        return "hits"
    return "other"


@contextmanager
def recording(statements: list[Statement]) -> Iterator[None]:
    """Time every SQL statement Django sends, from outside the backend's code."""
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - start) * 1000
            statements.append(Statement(classify(sql), sql, params, ms))

    with connection.execute_wrapper(wrapper):
        yield


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def timed_search(backend, query) -> tuple[Run, Any]:
    statements: list[Statement] = []
    with recording(statements):
        start = time.perf_counter()
        page = backend.search(query)
        ms = (time.perf_counter() - start) * 1000
    return Run(ms, statements), page


def build_query(case: Case, user) -> Any:
    from django.contrib.auth.models import AnonymousUser

    from catalog.search.params import search_query

    return search_query(
        case.params, user if case.user else AnonymousUser(), with_facets=case.facets
    )


def follow_cursor(backend, query, page: int) -> tuple[Any, float]:
    """The query for page `page`, reached by following next_cursor (without facets, as the
    API pages); also the walk's ms."""
    from dataclasses import replace

    start = time.perf_counter()
    for _ in range(page - 1):
        result = backend.search(replace(query, with_facets=False))
        if not result.next_cursor:
            break
        query = replace(query, cursor=result.next_cursor)
    return query, (time.perf_counter() - start) * 1000


def run_case(case: Case, user, args: argparse.Namespace) -> Result:
    from django.utils.module_loading import import_string

    backend = import_string(args.backend)()
    query = build_query(case, user)
    if case.page > 1:
        query, walk_ms = follow_cursor(backend, query, case.page)
        print(f"    ({case.name}: walked {case.page - 1} pages in {walk_ms:.0f} ms)")
    result = Result(case)
    deadline = time.monotonic() + args.case_seconds  # warm-up included
    for index in range(args.warmup):
        run, page = timed_search(backend, query)
        result.total, result.hits = page.total, len(page.hits)
        result.estimated = page.total_is_estimate or page.facets_are_estimates
        if index == 0 and run.ms > SLOW_MS:
            break  # slow: one warm-up is enough
    for index in range(args.reps):
        if index >= args.min_reps and time.monotonic() > deadline:
            break  # slow query: fewer samples keep the run bounded (n is printed)
        run, page = timed_search(backend, query)
        result.runs.append(run)
        result.total, result.hits = page.total, len(page.hits)
        result.estimated = page.total_is_estimate or page.facets_are_estimates
    return result


# --- the database -----------------------------------------------------------------------


def admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def recreate_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    drop_database(name)
    admin(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate() -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return time.perf_counter() - start


SEARCH_TABLES = (
    "catalog_model",
    "catalog_search",
    "catalog_search_sample_16",
    "catalog_search_sample_128",
    "catalog_search_word",
)


def secondary_indexes(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX ...) of the model and search tables' indexes that back no
    constraint."""
    rows = conn.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = ANY(%s::regclass[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
           ORDER BY c.relname""",
        [list(SEARCH_TABLES)],
    ).fetchall()
    return [(name, ddl) for name, ddl in rows]


def copy_rows(conn: psycopg.Connection, table: str, columns, rows) -> tuple[float, float]:
    """COPY `rows` in chunks; returns (seconds generating rows, seconds in COPY)."""
    gen_s = copy_s = 0.0
    iterator = iter(rows)
    while True:
        start = time.perf_counter()
        chunk = [row for _, row in zip(range(CHUNK), iterator, strict=False)]
        gen_s += time.perf_counter() - start
        if not chunk:
            return gen_s, copy_s
        start = time.perf_counter()
        with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in chunk:
                copy.write_row(row)
        conn.commit()
        copy_s += time.perf_counter() - start


TRIGGER = "catalog_search_sync_trg"


def load(url: str, models: int, args: argparse.Namespace) -> dict[str, float]:
    """Load namespaces and models, then build the search tables and indexes; returns timings
    in seconds.

    --load-mode rebuild (default): COPY with the sync trigger off, then
    `DatabaseBackend().rebuild()` (set-based refill of the search tables), then the indexes:
    what `manage.py reindex` does on a new server. trigger: COPY with the trigger on, one
    search row per model row as it arrives (what publishing does, one model at a time)."""
    timings: dict[str, float] = {}
    namespaces = search_data.namespace_count(models)
    rebuild = args.load_mode == "rebuild"
    with psycopg.connect(url) as conn:
        indexes = secondary_indexes(conn)
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        if rebuild:
            conn.execute(f"ALTER TABLE catalog_model DISABLE TRIGGER {TRIGGER}")
        conn.commit()
        rows = search_data.namespace_rows(namespaces, args.seed)
        copy_rows(conn, "catalog_namespace", search_data.NAMESPACE_COLUMNS, rows)
        rows = search_data.model_rows(models, namespaces, args.seed)
        gen_s, copy_s = copy_rows(conn, "catalog_model", search_data.MODEL_COLUMNS, rows)
        timings["generate rows (python)"] = gen_s
        timings["COPY models" + ("" if rebuild else " (incl. search trigger)")] = copy_s
        for table in ("catalog_namespace", "catalog_model"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        if rebuild:
            conn.execute(f"ALTER TABLE catalog_model ENABLE TRIGGER {TRIGGER}")
        conn.commit()
        if rebuild:
            timings["DatabaseBackend().rebuild() (search rows, trigger)"] = backend_rebuild()
        conn.execute(f"SET maintenance_work_mem = '{args.maintenance_work_mem}'")
        for name, ddl in indexes:
            start = time.perf_counter()
            conn.execute(ddl)
            conn.commit()
            timings[f"index {name}"] = time.perf_counter() - start
    with psycopg.connect(url, autocommit=True) as conn:
        start = time.perf_counter()
        for table in (*SEARCH_TABLES, "catalog_namespace"):
            conn.execute(f"VACUUM ANALYZE {table}")
        timings["VACUUM ANALYZE"] = time.perf_counter() - start
    return timings


def backend_rebuild() -> float:
    from django.db import connection, transaction

    from catalog.search.database import DatabaseBackend

    start = time.perf_counter()
    with transaction.atomic():
        DatabaseBackend().rebuild()
    connection.close()
    return time.perf_counter() - start


def bench_user():
    """A user whose namespace is a big one with private models."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from catalog.models import Namespace

    namespace = (
        Namespace.objects.filter(kind="user")
        .annotate(private=Count("models", filter=Q(models__private=True)))
        .order_by("-private", "id")
        .first()
    )
    existing = get_user_model().objects.filter(username="bench-owner").first()
    if existing:
        return existing
    user = get_user_model().objects.create_user(username="bench-owner", password="bench-only")
    namespace.user = user
    namespace.save(update_fields=["user"])
    return user


def sizes(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            """SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) || ' heap, '
                 || pg_size_pretty(pg_total_relation_size(c.oid)) || ' in all'
               FROM pg_class c WHERE c.relname IN ('catalog_model', 'catalog_search',
                 'catalog_search_sample_16', 'catalog_search_sample_128', 'catalog_search_word',
                 'catalog_search_text_idx')
               ORDER BY c.relname"""
        ).fetchall()


def server_settings(url: str) -> str:
    with psycopg.connect(url) as conn:
        values = [f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}" for name in SETTINGS]
    return ", ".join(values)


# --- printing ---------------------------------------------------------------------------


def print_timings(models: int, timings: dict[str, float]) -> None:
    print(f"\n== load and index build, {models:,} models ==")
    for label, seconds in timings.items():
        print(f"  {label:<44} {seconds:8.1f} s")
    index_s = sum(s for label, s in timings.items() if label.startswith("index "))
    vector_s = sum(s for label, s in timings.items() if "trigger" in label)  # search rows
    print(
        f"  {'time to build the index (tsvectors + indexes)':<44} "
        f"{vector_s + index_s:8.1f} s   (secondary indexes: {index_s:.1f} s)"
    )


def print_results(results: list[Result]) -> None:
    header = (
        f"  {'query':<38} {'total':>9} {'n':>3} {'p50':>7} {'p95':>7} {'p99':>7}"
        f"  |  mean ms: {'sample':>6} {'search':>6} {'hits':>6} {'other':>6} {'py':>5}  SQL"
    )
    print(header)
    for result in results:
        times = result.times
        split = mean_split(result.runs)
        statements = len(result.runs[0].statements) if result.runs else 0
        total = ("~" if result.estimated else "") + str(result.total)
        print(
            f"  {result.case.name[:38]:<38} {total:>9}"
            f" {len(times):>3}"
            f" {percentile(times, 0.5):7.1f} {percentile(times, 0.95):7.1f}"
            f" {percentile(times, 0.99):7.1f}  |  {'':9}"
            + "".join(f" {split[kind]:6.1f}" for kind in KINDS)
            + f" {split['python']:5.1f}  {statements}"
        )
    print_overall(f"all {len(results)} queries", [t for r in results for t in r.times])
    print_overall("queries with facets", [t for r in results if r.case.facets for t in r.times])


def mean_split(runs: list[Run]) -> dict[str, float]:
    splits = [run.split() for run in runs]
    return {key: statistics.fmean(s[key] for s in splits) for key in (*KINDS, "python")}


def print_overall(label: str, times: list[float]) -> None:
    if not times:
        return
    p95 = percentile(times, 0.95)
    verdict = "meets" if p95 <= GOAL_P95_MS else "misses"
    print(
        f"  overall, {label:<21} n={len(times):<4} p50 {percentile(times, 0.5):7.1f}  "
        f"p95 {p95:7.1f}  p99 {percentile(times, 0.99):7.1f} ms   ({verdict} p95 <= "
        f"{GOAL_P95_MS:.0f} ms)"
    )


def print_explains(results: list[Result], count: int, plan_lines: int) -> None:
    """EXPLAIN ANALYZE of the slowest statements of the `count` slowest queries."""
    from django.db import connection

    slowest = sorted(results, key=lambda r: percentile(r.times, 0.95), reverse=True)[:count]
    for result in slowest:
        run = max(result.runs, key=lambda r: r.ms)
        top = sorted(run.statements, key=lambda s: s.ms, reverse=True)[:2]
        print(
            f"\n-- {result.case.name}: {run.ms:.0f} ms in {len(run.statements)} statements; "
            f"slowest {', '.join(f'{s.kind} {s.ms:.0f} ms' for s in top)}"
        )
        for statement in top:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", statement.params)
                plan = [row[0] for row in cursor.fetchall()]
            print(f"   [{statement.kind}] {one_line(statement.sql, 150)}")
            for line in summarize(plan, plan_lines):
                print(f"     {line}")


def one_line(sql: str, width: int) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def summarize(plan: list[str], lines: int) -> list[str]:
    """The plan's node lines (no Output/Buffers detail) and its timing lines."""
    keep = [line for line in plan if not line.strip().startswith(("Buffers:", "Output:"))]
    timing = [line for line in keep if line.startswith(("Planning", "Execution", "JIT"))]
    body = [line for line in keep if line not in timing][:lines]
    return [one_line_keep_indent(line, 150) for line in body] + timing


def one_line_keep_indent(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."


# --- main -------------------------------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hub.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",
            "HUB_SEARCH_BACKEND": "database",
        }
    )
    import django

    django.setup()


def prepare(models: int, args: argparse.Namespace, url: str) -> None:
    """A fresh database with `models` models, or (--reuse) the one already there."""
    if args.reuse and loaded_models(url) == models:
        print(f"\n######## {models:,} models (database {args.db}, reused) ########")
        return
    recreate_database(args.db)
    migrate_s = migrate()
    print(f"\n######## {models:,} models (database {args.db}, migrate {migrate_s:.1f} s) ########")
    timings = load(url, models, args)
    print_timings(models, timings)


def loaded_models(url: str) -> int | None:
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM catalog_model").fetchone()[0]
    except psycopg.Error:
        return None


def session_sql(statements: list[str]) -> None:
    """Session settings to try (e.g. "SET jit = off") on the connection the searches use."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def bench_scale(models: int, args: argparse.Namespace, url: str) -> list[Result]:
    prepare(models, args, url)
    print("  sizes: " + ", ".join(f"{name} {size}" for name, size in sizes(url)))
    user = bench_user()
    session_sql(args.sql)
    cases = [c for c in CASES if not args.only or any(o in c.name for o in args.only)]
    load1, load5, _ = os.getloadavg()
    print(
        f"\n== searches, {models:,} models: warm-up {args.warmup}, up to {args.reps} runs each "
        f"(at most ~{args.case_seconds:.0f} s per query); times in ms; session SQL: "
        f"{'; '.join(args.sql) or 'none'};\n   backend {args.backend}; "
        f"load average {load1:.1f}/{load5:.1f} =="
    )
    results = [run_case(case, user, args) for case in cases]
    print_results(results)
    if args.explain:
        print(
            f"\n== EXPLAIN ANALYZE, {models:,} models: slowest statements of the "
            f"{args.explain} slowest queries =="
        )
        print_explains(results, args.explain, args.plan_lines)
    return results


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--models",
        type=int,
        action="append",
        help="catalog size; repeat for several (default: 100000 and 1000000)",
    )
    parser.add_argument("--reps", type=int, default=20, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per query")
    parser.add_argument(
        "--case-seconds",
        type=float,
        default=20.0,
        help="stop a query's runs after this long (at least --min-reps runs)",
    )
    parser.add_argument("--min-reps", type=int, default=3, help="timed runs, however slow")
    parser.add_argument(
        "--explain", type=int, default=4, help="EXPLAIN ANALYZE the N slowest queries (0: none)"
    )
    parser.add_argument("--plan-lines", type=int, default=14)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--db", default="hub_bench", help="bench database (dropped, recreated)")
    parser.add_argument(
        "--maintenance-work-mem", default="256MB", help="for the index builds (session setting)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 20k models, 3 runs, 1 warm-up"
    )
    parser.add_argument(
        "--load-mode",
        choices=("trigger", "rebuild"),
        default="rebuild",
        help="COPY then rebuild() the search tables (default), or fill them by the trigger "
        "during COPY",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--reuse", action="store_true", help="use the kept database if it has --models models"
    )
    parser.add_argument(
        "--sql", action="append", default=[], help="session SQL before the searches, repeatable"
    )
    parser.add_argument(
        "--backend",
        default="catalog.search.database.DatabaseBackend",
        help="dotted path of the SearchBackend to time (to compare a change)",
    )
    parser.add_argument(
        "--only", action="append", default=[], help="run only queries whose name contains this"
    )
    args = parser.parse_args()
    if args.quick:
        args.models = args.models or [20_000]
        args.reps, args.warmup, args.explain = min(args.reps, 3), 1, min(args.explain, 2)
    args.models = args.models or [100_000, 1_000_000]
    return args


def main() -> None:
    args = parse_args()
    url = f"{SERVER}/{args.db}"
    setup_django(url)
    admin("SELECT 1")
    print(f"PostgreSQL settings: {server_settings(f'{SERVER}/postgres')}")
    started = time.perf_counter()
    try:
        for models in args.models:
            bench_scale(models, args, url)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.db)
    print(f"\ndone in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
