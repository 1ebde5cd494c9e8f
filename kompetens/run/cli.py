"""The `kompetens` command: run reports, regenerate the demo data, validate inputs, import
payroll snapshots.

Exit status: 0 success, 1 a report failed, 2 bad input or usage. All of the help is in
Swedish, argparse's own words included.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from pathlib import Path

from kompetens.errors import InputError, ReportError
from kompetens.io.fingerprint import PACKAGE_ROOT, demo_dir

OK, REPORT_FAILED, BAD_INPUT = 0, 1, 2
COMMANDS = ("run", "demo", "validate", "clean")

#: argparse's own words in Swedish (argparse looks them up through gettext).
ARGPARSE_SV = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "show program's version number and exit": "visa versionen och avsluta",
    "the following arguments are required: %s": "följande argument saknas: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "okänt val: %(value)r (välj bland %(choices)s)",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r",
    "expected one argument": "ett värde behövs",
    "expected at least one argument": "minst ett värde behövs",
    "ambiguous option: %(option)s could match %(matches)s": "flertydig flagga: %(option)s kan vara %(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
}
argparse._ = lambda text: ARGPARSE_SV.get(text, text)  # type: ignore[attr-defined]

EPILOG = "Slutstatus: 0 klart, 1 en rapport misslyckades, 2 fel i indata eller i kommandot."


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as argparse does, with our wording
        import difflib

        self.print_usage(sys.stderr)
        print(f"kompetens: {message}", file=sys.stderr)
        wrong = re.search(r"okänt val: '([^']*)'", message)
        close = difflib.get_close_matches(wrong.group(1), COMMANDS, n=1, cutoff=0.5) if wrong else []
        if close:
            print(f"Menade du: kompetens {close[0]}?", file=sys.stderr)
        raise SystemExit(BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    from kompetens.io.fingerprint import VERSION

    parser = _Parser(
        prog="kompetens",
        description="Personal- och kompetensförsörjningsplan för kommuner.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--version", action="version", version=f"kompetens {VERSION}", help="visa versionen och avsluta"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, title="kommandon", metavar="{run,demo,validate,clean,import}"
    )
    run = sub.add_parser("run", help="kör rapporten för varje params-fil", epilog=EPILOG)
    run.add_argument("params", nargs="*", type=Path, help="params/*.yaml (standard: alla i params/)")
    run.add_argument("--out", type=Path, default=PACKAGE_ROOT / "outputs", help="utkatalog (standard: outputs/)")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="rapporter parallellt")
    run.add_argument("--data", type=Path, default=None, help="datakatalog (standard: data/demo/)")
    run.add_argument("--force", action="store_true", help="kör om även oförändrade rapporter")
    run.add_argument(
        "--scheduler", default=None, help="adress till en Dask-schemaläggare (tcp://…); kräver kompetens[dask]"
    )
    run.add_argument(
        "--bara-nyckeltal",
        action="store_true",
        help="bara nyckeltal.json per params-fil, utan notebook och HTML (snabbt, för många kommuner)",
    )
    demo = sub.add_parser("demo", help="generera om demodata", epilog=EPILOG)
    demo.add_argument("--out", type=Path, default=demo_dir(), help="utkatalog (standard: data/demo/)")
    validate = sub.add_parser(
        "validate", help="kontrollera indata, aktivitetsplanen och nämndernas texter mot datakontrakten", epilog=EPILOG
    )
    validate.add_argument("data_dir", type=Path, help="datakatalogen")
    validate.add_argument(
        "params",
        nargs="*",
        type=Path,
        help="params-filer vars texter och områden kontrolleras (standard: alla i params/)",
    )
    clean = sub.add_parser(
        "clean", help="ta bort cachen av indata (personuppgifter) och tillfälliga rapportmappar", epilog=EPILOG
    )
    clean.add_argument("--out", type=Path, default=PACKAGE_ROOT / "outputs", help="utkatalog (standard: outputs/)")
    imp = sub.add_parser(
        "import", help="läs lönesystemets årliga ögonblicksbilder till personal och avgangar", epilog=EPILOG
    )
    imp.add_argument("files", nargs="+", type=Path, help="en fil per år (årtalet i filnamnet)")
    imp.add_argument("--mappning", type=Path, required=True, help="mappningsfilen (YAML)")
    imp.add_argument(
        "--ut", type=Path, required=True, help="datakatalogen som personal.csv och avgangar.csv skrivs till"
    )
    imp.add_argument("--avgangslista", type=Path, default=None, help="lönesystemets avgångslista (se mappningsfilen)")
    imp.add_argument(
        "--nyckel", type=Path, default=None, help="pseudonymnyckeln (standard: ~/.config/kompetens/pseudonymnyckel)"
    )
    return parser


def _run(args) -> int:
    files = args.params or sorted((PACKAGE_ROOT / "params").glob("*.yaml"))
    if not files:
        print("kompetens: inga params-filer hittades", file=sys.stderr)
        return BAD_INPUT
    if args.jobs < 1:
        print("kompetens: --jobs måste vara minst 1", file=sys.stderr)
        return BAD_INPUT
    if args.bara_nyckeltal:
        return _key_figures(files, args)
    if args.scheduler is None:  # the kernels' fork server imports the report's stack meanwhile
        from kompetens.run import kernels

        kernels.start()
    from kompetens.run.batch import run_batch

    try:  # every input is checked before any report runs, so bad input writes nothing
        results = run_batch(
            files,
            args.out,
            jobs=min(args.jobs, len(files)),
            data_dir=args.data,
            force=args.force,
            scheduler=args.scheduler,
        )
    except ReportError as exc:  # the out folder cannot be written, or another run holds it
        print(f"kompetens: {exc}", file=sys.stderr)
        return REPORT_FAILED
    except OSError as exc:  # a disk that turned read-only or full mid-batch: earlier reports are kept
        print(f"kompetens: kan inte skriva {exc.filename or args.out}: {exc.strerror}", file=sys.stderr)
        return REPORT_FAILED
    for r in results:
        status = "oförändrad" if r.skipped else "klar" if r.ok else "MISSLYCKADES"
        print(f"{status:>13}  {r.slug:<32} {r.seconds:6.1f} s" + ("" if r.ok else f"  {r.error}"))
        for note in r.notes:
            print(f"{'':>13}  {note}")
    print(f"Index: {Path(args.out) / 'index.html'}")
    return OK if all(r.ok for r in results) else REPORT_FAILED


def _key_figures(files: list[Path], args) -> int:
    from kompetens.run.key_figures_batch import run_key_figures

    results = run_key_figures(
        files, args.out, jobs=min(args.jobs, len(files)), data_dir=args.data, scheduler=args.scheduler
    )
    for r in results:
        status = "klar" if r.ok else "MISSLYCKADES"
        print(f"{status:>13}  {r.slug:<32} {r.seconds:6.1f} s" + ("" if r.ok else f"  {r.error}"))
    print(f"Nyckeltal: {Path(args.out) / '<slug>' / 'nyckeltal.json'}")
    return OK if all(r.ok for r in results) else REPORT_FAILED


def _demo(args) -> int:
    from kompetens.demo import write_demo

    for table, path in write_demo(args.out).items():
        print(f"{table:<12} {path}")
    return OK


def _validate(args) -> int:
    from kompetens.io import activities
    from kompetens.io.load import check_data_dir
    from kompetens.io.params import DEFAULTS, load_params
    from kompetens.io.texts import load_texts

    inputs = check_data_dir(args.data_dir)
    for table, source in inputs.sources.items():
        rows = len(getattr(inputs, table))
        print(f"{table:<12} {source['fil']:<20} {rows:>8} rader  OK")
    problems = []
    for path in args.params or sorted((PACKAGE_ROOT / "params").glob("*.yaml")):
        try:
            params = {**DEFAULTS, **load_params(path)}
            texts = load_texts(args.data_dir, params["slug"], params["texter"])
            plan_file = Path(args.data_dir) / activities.FILENAME
            if plan_file.exists():
                areas = params["omraden"] or activities.STRATEGIES["skr2018"]
                acts = activities.load_activities(plan_file, areas)
                print(f"{'aktiviteter':<12} {activities.FILENAME:<20} {len(acts):>8} rader  OK  ({path.name})")
            if texts:
                print(f"{'texter':<12} {params['slug']:<20} {', '.join(texts)}  OK")
        except InputError as exc:
            problems += [
                dataclasses.replace(p, file=p.file if p.file != "parametrar" else str(path)) for p in exc.problems
            ]
    if problems:
        raise InputError(problems)
    for warning in inputs.warnings:
        print(f"varning: {warning}")
    return OK


def _clean(args) -> int:
    import shutil

    from kompetens.io.load import CACHE_DIR, clean_cache
    from kompetens.run.execute import WORK

    if clean_cache():
        print(f"borttagen: {CACHE_DIR}")
    work = Path(args.out) / WORK
    if work.exists():
        shutil.rmtree(work)
        print(f"borttagen: {work}")
    return OK


def _import(args) -> int:
    from kompetens.io.guard import output_folder, read_input, regular_file
    from kompetens.io.importer import import_snapshots

    read_input(args.mappning, None, 1 << 20, source=f"--mappning {args.mappning}")
    for path in [*args.files, *([args.avgangslista] if args.avgangslista else [])]:
        regular_file(path)
    output_folder(args.ut, "--ut")
    written = import_snapshots(args.files, args.mappning, args.ut, key_file=args.nyckel, exit_list=args.avgangslista)
    for table, path in written.items():
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        print(f"{table:<12} {path}  {rows:>8} rader")
    return OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"run": _run, "demo": _demo, "validate": _validate, "clean": _clean, "import": _import}[args.command](
            args
        )
    except InputError as exc:
        print(exc.summary(), file=sys.stderr)
        return BAD_INPUT
    except RecursionError:
        print("Fel i indata: för djupt nästlad struktur", file=sys.stderr)
        return BAD_INPUT
    except OSError as exc:  # a file that cannot be read or written: no traceback
        print(f"kompetens: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
