"""The ``accords`` command: a thin layer over the library (store, saved, validate, dump, stats).

Each command imports the modules it runs and no others: a query starts in a fraction of a
second. Exit codes: 0 success; 1 the data does not conform to the shapes; 2 unusable input
(unknown query, bad parameter, unreadable or invalid RDF, with file and line; a link or
special file, an entry over the size limit; a release with no date); 3 a result could not be
written (or an add would not read back as the validated graph: nothing changed); 4 the
official files could not be downloaded or failed their check; 5 a query ran past its
--timeout; 6 a SPARQL endpoint or server failed; 7 a program the command needs (pyLODE) is
not installed; 8 a validation worker failed.
Errors are printed in French and English, never as a traceback.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import logging
import math
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .errors import AccordsError, OutputError, UsageError
from .graph import territories
from .graph.store import ENGINES, Store
from .progress import Progress
from .publishing.dump import FORMATS as DUMP_FORMATS
from .resources import GRAPH_BASE
from .sparql import lookup, saved
from .sparql.params import parse_pairs
from .sparql.results import FORMATS as RESULT_FORMATS
from .sparql.results import render, terminal_width
from .suggest import did_you_mean

QUERY_EXAMPLES = """\
examples / exemples:
  accords query who-signed
  accords query who-signed --format json
  accords query person --param name="xavier bertrand"
  accords query territory --param code=Douai
  accords query provenance --param resource=person/xavier-bertrand
  accords query --file my-query.rq --format csv
"""

EXAMPLES = """\
examples / exemples:
  accords query who-signed
  accords query person --param name="xavier bertrand"
  accords validate new-accord.ttl --format json
  accords dump --out dist/
  accords site --out dist/site
  accords serve --port 7878
"""


def default_lang() -> str:
    """French where the environment asks for it, English otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


#: The longest ``--timeout`` (a week): beyond, the clocks' arithmetic overflows.
MAX_SECONDS = 7 * 24 * 3600


def seconds(text: str) -> float:
    """An argparse type: a number of seconds above zero and at most :data:`MAX_SECONDS`
    (``--timeout 0`` or ``-1`` would mean no time at all; a usage error, exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_SECONDS:  # NaN fails it too
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds above 0 and at most {MAX_SECONDS} / "
            f"{text!r} n'est pas un nombre de secondes supérieur à 0 et d'au plus {MAX_SECONDS}"
        )
    return value


def _date(text: str) -> datetime.date:
    """A ``--date`` value: an ISO date."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


#: An argument as data: ``add_argument``'s flags (or name) and its keywords.
Arg = tuple[tuple[str, ...], dict[str, Any]]


def arg(*flags: str, **kwargs: Any) -> Arg:
    """An :data:`Arg`, written like the ``add_argument`` call it stands for."""
    return flags, kwargs


@dataclass(frozen=True)
class Command:
    """A subcommand as data: its ``add_parser`` texts, its arguments in order, and its own
    subcommands (``accords territories build``), chosen as ACTION."""

    name: str
    help: str
    args: tuple[Arg, ...] = ()
    description: str | None = None
    epilog: str | None = None
    raw: bool = False  # the description and epilog keep their line breaks
    actions: tuple[Command, ...] = ()


#: The option of every command that loads the graph.
TERRITORIES = arg(
    "--territories",
    choices=territories.SCOPES,
    default=territories.DEFAULT_SCOPE,
    help=(
        "territorial layer to load, one named graph per vintage: committed (default; "
        "hauts-de-france is its former name), france (France at the default vintage, "
        "built into the cache first if missing, with the other committed vintages), none "
        "/ couche territoriale à charger"
    ),
)

#: The options of the commands that print a validation report (validate, add).
REPORT = (
    arg("--format", choices=("text", "json"), default="text"),
    arg("--lang", choices=("fr", "en"), default=None, help="language of the messages"),
    TERRITORIES,
)

DESCRIPTION = (
    "Query, validate and publish the accords-kg knowledge graph: who signed which "
    "accord, where and when.\n"
    "Interroger, valider et publier le graphe de connaissances accords-kg : qui a "
    "signé quel accord, où et quand."
)

EPILOG = (
    EXAMPLES
    + "\nexit codes / codes de sortie: 0 ok, 1 violations, 2 bad input / entrée inutilisable, "
    "3 output error / erreur d'écriture, 4 download error / erreur de téléchargement, "
    "5 timeout / délai dépassé, 6 endpoint error / erreur du point d'accès, "
    "7 missing program (pyLODE) / programme manquant, "
    "8 validation worker failed / processus de validation en échec"
)

#: Every subcommand of ``accords``, in the order ``accords --help`` lists them.
SUBCOMMANDS: tuple[Command, ...] = (
    Command(
        "queries",
        help="list the saved queries / lister les requêtes enregistrées",
        description="The saved queries (queries/*.rq), with their summaries and parameters.",
        args=(arg("--format", choices=("table", "json"), default="table"),),
    ),
    Command(
        "query",
        help="run a saved query or a query file / exécuter une requête",
        description=(
            "Run a saved query by NAME (see `accords queries`), or any SPARQL file with --file, "
            "on the embedded graph. Parameters are bound as RDF terms: --param KEY=VALUE, "
            "once each; an IRI parameter takes an absolute IRI, a prefixed name (role:president) "
            "or a path relative to https://w3id.org/accords-kg/id/ as tables print it "
            "(person/xavier-bertrand). person's name and territory's code also take a name, "
            "in any case and with or without accents."
        ),
        epilog=QUERY_EXAMPLES,
        raw=True,
        args=(
            arg("name", nargs="?", metavar="NAME", help="saved query name / nom de la requête"),
            arg("--file", type=Path, help="a SPARQL query file (.rq) instead of a saved query"),
            arg(
                "--param",
                action="append",
                default=[],
                metavar="KEY=VALUE",
                help="a query parameter",
            ),
            arg(
                "--format",
                choices=RESULT_FORMATS,
                default="table",
                help="table (terminal), csv/tsv/json (W3C SPARQL 1.1 results formats)",
            ),
            arg(
                "--engine",
                choices=ENGINES,
                default="oxigraph",
                help="SPARQL engine: oxigraph (fast, default) or rdflib (to cross-check answers)",
            ),
            arg(
                "--timeout",
                type=seconds,
                metavar="SECONDS",
                help="stop a query that runs longer (exit 5)",
            ),
            arg(
                "--allow-service",
                action="store_true",
                help="allow SERVICE clauses (calls to other SPARQL endpoints), refused by default",
            ),
            arg(
                "--endpoint",
                metavar="URL",
                help="run on this SPARQL endpoint (SPARQL 1.1 Protocol) instead of the "
                "embedded graph",
            ),
            TERRITORIES,
        ),
    ),
    Command(
        "validate",
        help="check the dataset, or new entries with it, against the SHACL shapes / valider",
        description=(
            "Without PATH: validate the whole dataset against the shapes, piece by piece in "
            "two processes, with progress on standard error. With PATHs: validate those new "
            "entries together with the dataset (they may refer to its resources): only the "
            "resources the entries can affect are checked, with the same findings as checking "
            "everything. Exit 0 conforms (warnings are printed), 1 violations, 2 unusable "
            "input, 8 a validation process failed."
        ),
        args=(
            arg("paths", nargs="*", type=Path, metavar="PATH", help=".ttl .nt .jsonld .trig .rdf"),
            *REPORT,
        ),
    ),
    Command(
        "add",
        help="validate new entries and write them into data/ / ajouter des entrées",
        description=(
            "Validate the entries together with the dataset, exactly like `validate`; if "
            "anything violates, change nothing (exit 1). Otherwise write their triples into "
            "the data/ file of each resource's kind (or --into FILE), all files or none. An "
            "entry may not change an existing resource's type or labels without --replace. "
            "Concurrent adds take turns."
        ),
        args=(
            arg("paths", nargs="+", type=Path, metavar="ENTRY", help=".ttl .nt .jsonld …"),
            arg("--into", metavar="FILE", help="a data/ file for every block (e.g. x.ttl)"),
            arg("--replace", action="store_true", help="allow changing types and labels"),
            *REPORT,
        ),
    ),
    Command(
        "dump",
        help="write the dataset as Turtle, N-Triples, JSON-LD, TriG, RDF/XML / exporter",
        description=(
            "Serialise the dataset (ontology and curated data; not the shapes). Without --out, "
            "one format (Turtle by default) goes to standard output; with --out DIR, every "
            "chosen format (all by default) is written to DIR/accords-kg.EXT. The same input "
            "gives byte-identical files; TriG keeps one named graph per layer."
        ),
        args=(
            arg("--format", choices=tuple(DUMP_FORMATS), action="append", default=None),
            arg("--out", type=Path, help="output folder / dossier de sortie"),
            TERRITORIES,
        ),
    ),
    Command(
        "release",
        help="every dump and a DCAT/VoID description, reproducible / publier une version",
        description=(
            "Write every dump format (Turtle, N-Triples gzipped, JSON-LD, TriG, RDF/XML) and "
            "void.ttl, a DCAT + VoID description with byte sizes, SHA-256 checksums, triple "
            "counts and partitions. Byte-identical on rebuild: the date is --date, else "
            "SOURCE_DATE_EPOCH, else the last commit (refused with none of them)."
        ),
        args=(
            arg("--out", type=Path, default=Path("dist"), help="output folder (dist/)"),
            arg("--endpoint", metavar="URL", help="SPARQL endpoint to name in void.ttl"),
            arg("--date", type=_date, help="issue date, YYYY-MM-DD / date de publication"),
            TERRITORIES,
        ),
    ),
    Command(
        "site",
        help="a static site: a page per resource, ontology, queries / site statique",
        description=(
            "Build a static site of the graph: an index; one page per resource of the curated\n"
            "graph and per territorial unit it names (facts as links, each statement's sources\n"
            "and evidence, its Turtle, JSON-LD and N-Triples beside it); each accord's diagram\n"
            "(SVG); the ontology documented by pyLODE; each saved query with its\n"
            "results. No external asset, no JavaScript; the same graph gives the same bytes.\n"
            "OUT is replaced as a whole, and every link is checked. Needs pyLODE\n"
            "(pip install 'accords-kg[site]'), else exit 7.\n\n"
            "Construire un site statique : une page par ressource, ses faits et leurs sources,\n"
            "le schéma de chaque accord, l'ontologie documentée, les requêtes enregistrées."
        ),
        raw=True,
        args=(
            arg("--out", type=Path, default=Path("dist/site"), help="folder (dist/site)"),
            TERRITORIES,
        ),
    ),
    Command(
        "serve",
        help="serve the pages, the resources and SPARQL / servir pages, ressources et SPARQL",
        description=(
            "Serve the site and the dataset on one port. /query, /update and /store go to an\n"
            "Oxigraph SPARQL server (each layer in its named graph, the default graph their\n"
            "union; read-only unless --writable), through the query guard: SERVICE and LOAD\n"
            "are refused (403), a query is stopped past --timeout (504), a query body over\n"
            "1 MiB is refused (413). A resource's path (/id/person/...) answers\n"
            "its page, or its description as Turtle, JSON-LD or N-Triples, as the Accept\n"
            "header asks (or ?format=ttl|jsonld|nt|html). The site is built at start unless\n"
            "--site gives one. Ctrl-C, SIGTERM or SIGHUP stop it.\n\n"
            "Servir le site et le jeu de données sur un port : pages, description RDF de\n"
            "chaque ressource selon l'en-tête Accept, point d'accès SPARQL."
        ),
        raw=True,
        args=(
            arg("--bind", default="127.0.0.1", help="address to listen on (127.0.0.1)"),
            arg("--port", type=int, default=7878, help="port (7878)"),
            arg("--writable", action="store_true", help="accept updates (Graph Store, SPARQL)"),
            arg("--site", type=Path, help="a site built by `accords site` (default: build one)"),
            arg(
                "--timeout",
                type=seconds,
                default=60.0,
                metavar="SECONDS",
                help="longest a SPARQL query may run (60) / durée maximale d'une requête",
            ),
            TERRITORIES,
        ),
    ),
    Command(
        "publish",
        help="upload every layer to a SPARQL server, atomically / publier sur un serveur",
        description=(
            "Upload each layer to its named graph with the SPARQL 1.1 Graph Store Protocol: "
            "staging graphs first, their triple counts checked, then one SPARQL Update "
            "switches them all (COPY, safe to repeat), so a failure half-way leaves the "
            "previous version; staging graphs are dropped in every case. Credentials: "
            "ACCORDS_ENDPOINT_USER and ACCORDS_ENDPOINT_PASSWORD (Basic or Digest, as the "
            "server asks), or ACCORDS_ENDPOINT_TOKEN (never printed). See docs/servers.md."
        ),
        args=(
            arg("--store", required=True, metavar="URL", help="Graph Store endpoint (…/store)"),
            arg("--update", metavar="URL", help="SPARQL Update endpoint (default …/update)"),
            arg("--query-endpoint", metavar="URL", help="SPARQL query endpoint (…/query)"),
            arg("--graph-base", default=GRAPH_BASE, metavar="IRI", help="named graphs' base"),
            arg(
                "--default-graph",
                choices=("auto", "copy", "union", "none"),
                default="auto",
                help=(
                    "copy: the union of the layers into the default graph; union: leave it "
                    "alone, the server shows the union of its named graphs there (Virtuoso, "
                    "Oxigraph --union-default-graph); none: empty it; auto (default): ask "
                    "the server"
                ),
            ),
            TERRITORIES,
        ),
    ),
    Command(
        "stats",
        help="triples per layer, instances per class / statistiques",
        description="Triples per layer (named graph) and instances per class.",
        args=(arg("--format", choices=RESULT_FORMATS, default="table"), TERRITORIES),
    ),
    Command(
        "territories",
        help="build the official territorial layer / construire la couche territoriale",
        description=(
            "Build the territorial layer from @etalab/decoupage-administratif: the release of "
            "the vintage is downloaded from the npm registry (once: it is cached), checked "
            "against the integrity pinned in data/territories/registry.lock.json and converted "
            "to Turtle. --scope committed (the default) rewrites data/territories/<vintage>/ "
            "for every vintage of data/territories/committed.json (or --vintage only); "
            "--scope france writes every EPCI and commune of France at --vintage (default "
            f"{territories.DEFAULT_VINTAGE}) into the cache (ACCORDS_KG_CACHE, else "
            "~/.cache/accords-kg)."
        ),
        actions=(
            Command(
                "build",
                help="download, check and convert / télécharger et convertir",
                args=(
                    arg(
                        "--vintage",
                        help="year (2023…): one committed vintage, or France's "
                        "(default: all / 2023)",
                    ),
                    arg(
                        "--scope",
                        choices=("committed", "hauts-de-france", "france"),
                        default=territories.DEFAULT_SCOPE,
                        help="committed (hauts-de-france is its former name) or france",
                    ),
                    arg("--out", type=Path, help="output folder instead of the default one"),
                ),
            ),
        ),
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The ``accords`` parser, built from :data:`SUBCOMMANDS`: the options are data, so a
    subcommand's are read in one place and this function stays short."""
    parser = argparse.ArgumentParser(
        prog="accords",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"accords-kg {__version__}")
    _add_commands(parser, "command", "COMMAND", SUBCOMMANDS)
    return parser


def _add_commands(
    parser: argparse.ArgumentParser, dest: str, metavar: str, commands: Sequence[Command]
) -> None:
    """Adds ``commands`` to ``parser`` as required subcommands, each with its arguments (and
    its own subcommands, chosen as ACTION)."""
    sub = parser.add_subparsers(dest=dest, metavar=metavar, required=True)
    for command in commands:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=command.epilog,
            formatter_class=(
                argparse.RawDescriptionHelpFormatter if command.raw else argparse.HelpFormatter
            ),
        )
        for flags, kwargs in command.args:
            # a copy: a mutable default (--param's list) is never shared by two parsers
            p.add_argument(*flags, **copy.deepcopy(kwargs))
        if command.actions:
            _add_commands(p, "action", "ACTION", command.actions)


def cmd_queries(args: argparse.Namespace) -> int:
    queries = saved.catalogue()
    if args.format == "json":
        doc = [
            {
                "name": q.name,
                "summary": q.summary,
                "tags": list(q.tags),
                "parameters": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "datatype": p.datatype,
                        "required": p.required and p.default is None,
                        "default": p.default,
                    }
                    for p in q.params
                ],
            }
            for q in queries.values()
        ]
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    for q in queries.values():
        sys.stdout.write(f"{q.name}\n    {q.summary}\n")
        for param in q.params:
            sys.stdout.write(f"    --param {param.describe()}\n")
    return 0


def _runner(args: argparse.Namespace, source: str) -> lookup.Run:
    """Runs a query with the command's options, on the endpoint or the embedded store."""
    options = {"timeout": args.timeout, "allow_service": args.allow_service, "source": source}
    if args.endpoint:
        from .sparql import endpoint

        return lambda text, bindings: endpoint.query(args.endpoint, text, bindings, **options)
    store = Store.load(territories=args.territories)
    return lambda text, bindings: store.query(text, bindings, engine=args.engine, **options)


def cmd_query(args: argparse.Namespace) -> int:
    params = parse_pairs(args.param)
    if args.file and args.name:
        raise UsageError("give a query NAME or --file, not both / une requête OU --file")
    if args.file:
        query = saved.parse_query_file(args.file)
    elif args.name:
        query = saved.get(args.name)
    else:
        raise UsageError(
            "which query? give NAME or --file (see `accords queries`) / quelle requête ?"
        )
    query.bindings(params)  # a missing or malformed parameter fails before the graph loads
    run = _runner(args, str(query.path))
    name = "" if args.file else query.name
    scope = None if args.endpoint else args.territories
    params, notes = lookup.resolve(name, params, run, scope)
    bindings = query.bindings(params)
    result = run(query.text, bindings)
    sys.stdout.write(render(result, args.format, terminal_width()))
    if result.boolean is None and not result.rows:
        for note in notes or lookup.explain_empty(name, bindings, run, scope):
            sys.stderr.write(f"accords: {note}\n")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validation.validate import validate

    lang = args.lang or default_lang()
    store = Store.load(territories=args.territories)
    progress = None if args.paths else Progress("validation")
    report = validate(args.paths, store=store, lang=lang, progress=progress)
    sys.stdout.write(report.to_json() if args.format == "json" else report.to_text(lang))
    return 0 if report.conforms else 1


def cmd_add(args: argparse.Namespace) -> int:
    from .add import add

    lang = args.lang or default_lang()
    outcome = add(args.paths, args.territories, args.into, args.replace, lang)
    report = outcome.report
    sys.stdout.write(report.to_json() if args.format == "json" else report.to_text(lang))
    for path in outcome.written:
        sys.stderr.write(f"wrote / écrit : {path}\n")
    if report.conforms and not outcome.written:
        sys.stderr.write("unchanged: data/ already holds these entries / déjà dans data/\n")
    return 0 if report.conforms else 1


def cmd_dump(args: argparse.Namespace) -> int:
    from .publishing.dump import dump, serialise

    store = Store.load(territories=args.territories)
    if args.out is None:
        formats = args.format or ["turtle"]
        if len(formats) > 1:
            raise UsageError("several formats need --out DIR / plusieurs formats : utiliser --out")
        sys.stdout.flush()
        sys.stdout.buffer.write(serialise(store, formats[0]))
        return 0
    for path in dump(store, args.out, args.format):
        sys.stderr.write(f"wrote / écrit : {path}\n")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from .publishing.stats import instances_per_class, triples_per_layer

    store = Store.load(territories=args.territories)
    width = terminal_width()
    sys.stdout.write(render(triples_per_layer(store), args.format, width))
    if args.format == "table":
        sys.stdout.write("\n")
    sys.stdout.write(render(instances_per_class(store), args.format, width))
    return 0


def cmd_territories(args: argparse.Namespace) -> int:
    written = territories.build(
        args.scope, vintage=args.vintage, out=args.out, progress=args.scope == "france"
    )
    for path in written:
        sys.stderr.write(f"wrote / écrit : {path}\n")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .publishing import release

    store = Store.load(territories=args.territories)
    for path in release.release(store, args.out, args.endpoint, issued=args.date):
        sys.stderr.write(f"wrote / écrit : {path}\n")
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from .web import linkcheck
    from .web import site as site_builder

    store = Store.load(territories=args.territories)
    built = site_builder.build(store, args.out)
    problems = linkcheck.check(built.out)
    for problem in problems:
        sys.stderr.write(f"accords: {problem}\n")
    if problems:
        raise OutputError(f"the site has {len(problems)} broken link(s) / liens cassés")
    sys.stderr.write(
        f"wrote / écrit : {built.out}/ ({built.pages} pages HTML, {built.files} files / fichiers)\n"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    if args.site is not None and not (args.site / "index.html").is_file():
        raise UsageError(f"{args.site} is not a site (no index.html) / n'est pas un site")
    store = Store.load(territories=args.territories)
    for stop in (signal.SIGTERM, signal.SIGHUP):  # like Ctrl-C: Oxigraph and the temporary
        if signal.getsignal(stop) is not signal.SIG_IGN:  # folder go with the server (a
            signal.signal(stop, _stopped)  # signal ignored, as under nohup, stays ignored)
    with serve.running(
        store, args.bind, args.port, args.writable, args.site, args.timeout
    ) as server:
        base = server.url
        sys.stderr.write(
            f"pages: {base}/  (e.g. / p. ex. {base}/id/accord/declaration-de-bethune-2023)\n"
            f"SPARQL query endpoint / point d'accès : {base}/query\n"
            f"Graph Store: {base}/store{'' if args.writable else ' (read-only)'}\n"
            "Ctrl-C to stop / pour arrêter\n"
        )
        return server.wait()


def _stopped(signum: int, frame: object) -> None:
    """A termination signal, raised as an exit that runs every ``finally`` on its way out
    (the default action would end the process at once, leaving its children)."""
    sys.stderr.write(f"stopped / arrêté ({signal.Signals(signum).name})\n")
    raise SystemExit(128 + signum)


def cmd_publish(args: argparse.Namespace) -> int:
    from .publishing import publish

    store = Store.load(territories=args.territories)
    urls = publish.Endpoints.from_store(args.store, args.update, args.query_endpoint)
    counts = publish.publish(
        store, urls, args.graph_base, args.default_graph, log=lambda m: sys.stderr.write(m + "\n")
    )
    for iri, n in sorted(counts.items()):
        sys.stdout.write(f"{iri or '(default graph)'}\t{n}\n")
    return 0


COMMANDS = {
    "queries": cmd_queries,
    "query": cmd_query,
    "validate": cmd_validate,
    "add": cmd_add,
    "dump": cmd_dump,
    "stats": cmd_stats,
    "territories": cmd_territories,
    "release": cmd_release,
    "site": cmd_site,
    "serve": cmd_serve,
    "publish": cmd_publish,
}


def main(argv: Sequence[str] | None = None) -> int:
    # rdflib logs ill-typed literals and odd IRIs with tracebacks; the report says it better
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        hint = did_you_mean(argv[0], COMMANDS)
        sys.stderr.write(
            f"accords: error / erreur: unknown command {argv[0]!r}{hint} "
            f"(commands / commandes: {', '.join(COMMANDS)})\n"
        )
        return 2
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AccordsError as exc:
        sys.stderr.write(f"accords: error / erreur: {exc}\n")
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("stopped / arrêté\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
