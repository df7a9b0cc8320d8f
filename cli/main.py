"""The ``run_bot.py`` command line: ask questions and curate facts offline, or run the bot.

Every user mistake ends in one clear line on standard error and exit status 1;
never a traceback. Only ``run`` and ``doctor`` import discord.py.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from cli import render
from cli.spreadsheet import unanswered_csv
from knowledge import InvalidSetting, KnowledgeBase, KnowledgeSettings, read_fact_rows
from knowledge.curated import facts_toml
from knowledge.documents import extract, read_document
from knowledge.errors import (
    FactNotFound,
    InvalidFact,
    InvalidFactFile,
    InvalidQuestion,
    InvalidSource,
    KnowledgeError,
)
from knowledge.models import ImportOutcome, Source, UnansweredStatus

CONSOLE_ACTOR = "console"
CONSOLE_PLACE = "console"
CONSOLE_ASKER = "console"
"""Who asks from the command line: the core's daily cap on logged questions (per
asker, held by one process) applies here as it does to each Discord member."""
OFFLINE_HINT = 'Offline, `python run_bot.py ask "…"` works without Discord.'


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_bot.py",
        description="Sourced answers about shared-services outsourcing, offline or on Discord.",
    )
    parser.add_argument("--db", metavar="PATH", help="database file (default: DATABASE_PATH)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("run", help="start the Discord bot (the default when DISCORD_TOKEN is set)")

    ask = commands.add_parser("ask", help="answer a question from the knowledge base")
    ask.add_argument("question", nargs="?", help="the question (omit with --json to read stdin)")
    ask.add_argument(
        "--json", action="store_true", help="read one question a line, print one JSON a line"
    )
    ask.set_defaults(handler=_ask)

    facts = commands.add_parser("facts", help="list, show and change facts").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    facts.add_parser("list", help="every fact").set_defaults(handler=_facts_list)
    show = facts.add_parser("show", help="one fact with its source and history")
    show.add_argument("id", type=int)
    show.set_defaults(handler=_facts_show)
    add = facts.add_parser("add", help="add a fact")
    _fact_fields(add, required=True)
    add.set_defaults(handler=_facts_add)
    edit = facts.add_parser("edit", help="change parts of a fact")
    edit.add_argument("id", type=int)
    _fact_fields(edit, required=False)
    edit.set_defaults(handler=_facts_edit)
    remove = facts.add_parser("remove", help="stop a fact answering (its history stays)")
    remove.add_argument("id", type=int)
    remove.set_defaults(handler=_facts_remove)
    export = facts.add_parser(
        "export", help="print every fact, source and history entry (json), or the facts as TOML"
    )
    export.add_argument(
        "--format",
        choices=["json", "toml"],
        default="json",
        help="json: everything, for `facts import`; toml: facts in the facts.toml format",
    )
    export.set_defaults(handler=_facts_export)
    review = facts.add_parser(
        "review", help="proposed example questions (members' 'did you mean' choices)"
    )
    review.add_argument("--approve", type=int, action="append", default=[], metavar="ID")
    review.add_argument("--reject", type=int, action="append", default=[], metavar="ID")
    review.set_defaults(handler=_facts_review)
    load = facts.add_parser(
        "import",
        help="load an export into an empty database, or --merge a spreadsheet (CSV) or TOML",
        description="Without --merge: load a `facts export` (JSON) into an empty database."
        " With --merge: add and change facts from a CSV file with the header row"
        " answer,questions,source,quote,keywords (questions and keywords separated by ';',"
        " source a key or a title) or a facts.toml-style file. A row changes the fact"
        " citing the same source with the same quote, else the fact with the same"
        " answer (case, spacing and quote marks ignored); it gets the row's answer, source and"
        " quote, and keeps its example questions and keywords, adding the row's new"
        " ones. Other rows are new facts. Ids in a TOML file are not used. One"
        " refused row and nothing is changed.",
    )
    load.add_argument(
        "file", type=Path, help="a `facts export` (.json); with --merge, a .csv or .toml file"
    )
    load.add_argument(
        "--merge", action="store_true", help="add and change facts in a live knowledge base"
    )
    load.add_argument(
        "--dry-run", action="store_true", help="with --merge: print the summary, change nothing"
    )
    load.set_defaults(handler=_facts_import)

    sources = commands.add_parser(
        "sources", help="register, list and quote the documents facts come from"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    register = sources.add_parser("add", help="register a document (.txt, .md, .pdf, .docx)")
    register.add_argument("file", type=Path)
    register.add_argument("--title", required=True, help="the document's own title")
    register.add_argument(
        "--kind", required=True, help="circular, article, letter, minutes, web page…"
    )
    register.add_argument("--issuer", required=True, help="who issued it")
    register.add_argument("--date", required=True, help="its date, as it gives it")
    register.add_argument("--url", help="where it can be read (https://…)")
    register.add_argument("--key", help="its key (default: made from the title)")
    register.set_defaults(handler=_sources_add)
    sources.add_parser("list", help="every source").set_defaults(handler=_sources_list)
    source_show = sources.add_parser("show", help="one source with its facts and history")
    source_show.add_argument("key", metavar="ID")
    source_show.set_defaults(handler=_sources_show)
    quote = sources.add_parser("quote", help="the exact passage closest to approximate words")
    quote.add_argument("key", metavar="ID")
    quote.add_argument("words")
    quote.set_defaults(handler=_sources_quote)

    check = commands.add_parser(
        "doctor", help="check the settings, database, documents and Discord before going live"
    )
    check.add_argument(
        "--offline", action="store_true", help="do not log in to Discord, even with a token"
    )

    copy = commands.add_parser(
        "backup", help="copy the database to PATH, consistently, even while the bot runs"
    )
    copy.add_argument("path", type=Path)
    copy.set_defaults(handler=_backup)

    unanswered = commands.add_parser(
        "unanswered", help="questions the bot could not answer"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = unanswered.add_parser("list", help="most-asked first")
    listing.add_argument("--status", choices=[s.value for s in UnansweredStatus], default="open")
    listing.set_defaults(handler=_unanswered_list)
    resolve = unanswered.add_parser("resolve", help="close a question with the fact answering it")
    resolve.add_argument("id", type=int)
    resolve.add_argument("--fact", type=int, required=True, metavar="FACT_ID")
    resolve.add_argument(
        "--no-teach", action="store_true", help="do not add its wording to the fact's questions"
    )
    resolve.set_defaults(handler=_unanswered_resolve)
    sheet = unanswered.add_parser(
        "export", help="the questions as CSV for a branch meeting (never who asked)"
    )
    sheet.add_argument("--format", choices=["csv"], default="csv")
    sheet.add_argument("--status", choices=[s.value for s in UnansweredStatus], default="open")
    sheet.add_argument(
        "--output", type=Path, metavar="FILE", help="write it to FILE (default: standard output)"
    )
    sheet.set_defaults(handler=_unanswered_export)
    dismiss = unanswered.add_parser("dismiss", help="close a question that needs no answer")
    dismiss.add_argument("id", type=int)
    dismiss.set_defaults(handler=_unanswered_dismiss)
    return parser


def _fact_fields(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--answer", required=required, help="one to three plain sentences")
    parser.add_argument("--source", required=required, help="source key (see `facts list`)")
    parser.add_argument("--quote", required=required, help="verbatim words from the source")
    parser.add_argument(
        "--question",
        action="append",
        required=required,
        help="an example question a member would ask (repeat for more)",
    )
    parser.add_argument("--keyword", action="append", help="a keyword (repeat for more)")


def run(
    argv: Sequence[str],
    *,
    environ: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; returns the exit status.

    With no command: run the bot if ``DISCORD_TOKEN`` is set, else print help.
    """
    environ = os.environ if environ is None else environ
    out, err = stdout or sys.stdout, stderr or sys.stderr
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "run" or (
        arguments.command is None and environ.get("DISCORD_TOKEN", "").strip()
    ):
        return _run_discord_bot(arguments, environ, err)
    if arguments.command == "doctor":
        # Its own reading of the settings: every bad one is a finding, not an error.
        from cli.doctor import doctor

        database = Path(arguments.db) if arguments.db else None
        return doctor(environ, out, database=database, offline=arguments.offline)
    handler: Callable[..., int] | None = getattr(arguments, "handler", None)
    if handler is None:
        parser.print_help(out)
        return 2
    try:
        settings = KnowledgeSettings.from_env(environ)
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        kb = KnowledgeBase.open(
            Path(arguments.db) if arguments.db else settings.database_path,
            # A restore needs an empty database: the curated facts are not loaded first.
            with_curated=not _restores(handler, arguments),
            sources_dir=settings.sources_dir,
        )
        return handler(kb, arguments, stdin or sys.stdin, out)
    except (KnowledgeError, InvalidSetting) as error:
        print(f"error: {error}", file=err)
        return 1


def _restores(handler: Callable[..., int], arguments: argparse.Namespace) -> bool:
    return handler is _backup or (handler is _facts_import and not arguments.merge)


def _run_discord_bot(arguments: argparse.Namespace, environ: Mapping[str, str], err: TextIO) -> int:
    # The bot's settings and discord.py are imported only to run the bot.
    from bot.settings import Settings

    try:
        settings = Settings.from_env(environ)
    except InvalidSetting as error:
        print(f"error: {error}. {OFFLINE_HINT}", file=err)
        return 1
    if arguments.db:
        settings = dataclasses.replace(settings, database_path=Path(arguments.db))
    from cli.serve import serve

    try:
        return serve(settings, err)
    except KnowledgeError as error:
        print(f"error: {error}", file=err)
        return 1


def _ask(kb: KnowledgeBase, arguments: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    if arguments.json:
        lines = [arguments.question] if arguments.question else stdin
        sources = {source.key: source for source in kb.sources()}
        for line in lines:
            question = line.rstrip("\n")
            try:
                reply = kb.ask(question, place=CONSOLE_PLACE, asker=CONSOLE_ASKER)
            except InvalidQuestion as error:
                # Its own line still, so that the replies stay in step with the questions.
                print(render.dumps(render.error_json(question, str(error))), file=out, flush=True)
                continue
            print(render.dumps(render.reply_json(reply, sources)), file=out, flush=True)
        return 0
    if arguments.question is None:
        raise InvalidQuestion('give a question: run_bot.py ask "who owns SSCL?"')
    reply = kb.ask(arguments.question, place=CONSOLE_PLACE, asker=CONSOLE_ASKER)
    print(render.reply_text(reply), file=out)
    return 0


def _facts_list(kb: KnowledgeBase, _: argparse.Namespace, __: TextIO, out: TextIO) -> int:
    for fact in kb.facts():
        print(render.fact_line(fact), file=out)
    print("\nSources: " + ", ".join(source.key for source in kb.sources()), file=out)
    return 0


def _facts_show(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    fact = kb.fact(arguments.id)
    print(render.fact_text(fact, kb.source(fact.source_key)), file=out)
    print(render.quote_status_line(kb.quote_status(fact)), file=out)
    print("History:", file=out)
    for entry in kb.fact_history(fact.id):
        print(f"  {entry.at}  {entry.action} by {entry.actor}", file=out)
    return 0


def _facts_add(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    fact = kb.add_fact(
        answer=arguments.answer,
        source_key=arguments.source,
        quote=arguments.quote,
        questions=arguments.question,
        keywords=arguments.keyword or (),
        actor=CONSOLE_ACTOR,
    )
    print(f"added fact {fact.id}", file=out)
    return 0


def _facts_edit(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    fact = kb.edit_fact(
        arguments.id,
        actor=CONSOLE_ACTOR,
        answer=arguments.answer,
        source_key=arguments.source,
        quote=arguments.quote,
        questions=arguments.question,
        keywords=arguments.keyword,
    )
    print(f"changed fact {fact.id}", file=out)
    return 0


def _facts_remove(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    kb.remove_fact(arguments.id, actor=CONSOLE_ACTOR)
    print(f"removed fact {arguments.id} (its history is kept)", file=out)
    return 0


def _facts_export(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    if arguments.format == "toml":
        print(facts_toml(kb.facts()), file=out, end="")
    else:
        print(json.dumps(kb.export(), ensure_ascii=False, indent=1), file=out)
    return 0


def _facts_review(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    for proposal_id in arguments.approve:
        fact = kb.approve_proposal(proposal_id, actor=CONSOLE_ACTOR)
        print(
            f"approved proposal {proposal_id}: now an example question of fact {fact.id}", file=out
        )
    for proposal_id in arguments.reject:
        kb.reject_proposal(proposal_id, actor=CONSOLE_ACTOR)
        print(f"rejected proposal {proposal_id}", file=out)
    if arguments.approve or arguments.reject:
        return 0
    proposals = kb.pending_proposals()
    for proposal in proposals:
        print(render.proposal_line(proposal), file=out)
    if not proposals:
        print("no proposed example questions to review", file=out)
    missing = kb.facts_with_missing_quotes()
    if missing:
        print("\nFacts whose quote is no longer in their source (fix with `facts edit`):", file=out)
    for fact in missing:
        print(render.missing_quote_line(fact), file=out)
    return 0


def _facts_import(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    if arguments.merge:
        return _facts_merge(kb, arguments.file, out, dry_run=arguments.dry_run)
    if arguments.dry_run:
        raise InvalidFact("--dry-run goes with --merge")
    try:
        data = json.loads(arguments.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidQuestion(f"cannot read {arguments.file}: {error}") from error
    count = kb.import_(data)
    print(f"imported {count} facts", file=out)
    return 0


def _facts_merge(kb: KnowledgeBase, file: Path, out: TextIO, *, dry_run: bool) -> int:
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InvalidFactFile(f"cannot read {file}: {error.strerror}") from error
    summary = kb.merge_facts(
        read_fact_rows(data, file.name), actor=f"import:{file.name}", dry_run=dry_run
    )
    for line in summary.lines:
        print(render.import_line(line), file=out)
    print(render.import_counts(summary), file=out)
    refused = summary.count(ImportOutcome.REFUSED)
    if refused:
        raise InvalidFactFile(
            f"nothing imported: {refused} of {len(summary.lines)} rows refused (listed above)"
        )
    if dry_run:
        print("dry run: nothing changed", file=out)
    elif summary.count(ImportOutcome.NEW) or summary.count(ImportOutcome.CHANGED):
        print(f"imported {file.name}", file=out)
    else:
        print("nothing to change", file=out)
    return 0


def _sources_add(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    url = (arguments.url or "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise InvalidSource("the url must start with https://")
    text = extract(read_document(arguments.file), arguments.file.name)
    source = kb.add_source(
        Source(
            key=arguments.key or "",
            title=arguments.title,
            kind=arguments.kind,
            issuer=arguments.issuer,
            date=arguments.date,
            url=url,
            file=arguments.file.name,
        ),
        text,
        actor=CONSOLE_ACTOR,
    )
    print(f"added source {source.key} ({len(text):,} characters of text)", file=out)
    return 0


def _sources_list(kb: KnowledgeBase, _: argparse.Namespace, __: TextIO, out: TextIO) -> int:
    for source in kb.sources():
        print(render.source_list_line(source), file=out)
    return 0


def _sources_show(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    source = kb.source(arguments.key)
    facts = kb.facts(source_key=source.key)
    print(render.source_text(source, len(kb.source_text(source.key)), facts), file=out)
    print("History:", file=out)
    for entry in kb.source_history(source.key):
        print(f"  {entry.at}  {entry.action} by {entry.actor}", file=out)
    return 0


def _sources_quote(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    print(kb.quote_passage(arguments.key, arguments.words).text, file=out)
    return 0


def _backup(kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO) -> int:
    kb.backup(arguments.path)
    print(f"backed up the database to {arguments.path}", file=out)
    return 0


def _unanswered_list(
    kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO
) -> int:
    status = UnansweredStatus(arguments.status)
    entries = kb.unanswered_questions(status)
    offers = kb.passages_offered(status)
    for entry in entries:
        print(render.unanswered_line(entry), file=out)
        if entry.id in offers:
            print(render.offered_line(offers[entry.id]), file=out)
    if not entries:
        print(f"no {arguments.status} questions", file=out)
    return 0


def _unanswered_resolve(
    kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO
) -> int:
    kb.resolve(arguments.id, arguments.fact, actor=CONSOLE_ACTOR, teach=not arguments.no_teach)
    print(f"resolved question {arguments.id} with fact {arguments.fact}", file=out)
    return 0


def _unanswered_export(
    kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO
) -> int:
    entries = kb.unanswered_questions(UnansweredStatus(arguments.status))
    answers: dict[int, str] = {}
    for fact_id in {entry.nearest_fact_id for entry in entries if entry.nearest_fact_id}:
        with contextlib.suppress(FactNotFound):  # removed since: the sheet shows its id only
            answers[fact_id] = kb.fact(fact_id).answer
    table = unanswered_csv(entries, answers)
    if arguments.output is None:
        print(table, file=out, end="")
        return 0
    try:
        # With a byte-order mark, Excel reads the file as UTF-8, not as the local code page.
        arguments.output.write_text(table, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise KnowledgeError(f"cannot write {arguments.output}: {error.strerror}") from error
    print(f"wrote {len(entries)} questions to {arguments.output}", file=out)
    return 0


def _unanswered_dismiss(
    kb: KnowledgeBase, arguments: argparse.Namespace, _: TextIO, out: TextIO
) -> int:
    kb.dismiss(arguments.id, actor=CONSOLE_ACTOR)
    print(f"dismissed question {arguments.id}", file=out)
    return 0
