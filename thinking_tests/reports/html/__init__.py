"""The HTML report: one self-contained file that opens offline and reads with JavaScript off.

- The page is `templates/report.html`, rendered by jinja2 with autoescape on; its loops and
  conditions (chips, tag options, chart, banners, environment, the table of cases) are in
  the template. Python gives it a plain view model (`view.page`): texts cleaned of control
  characters, lone surrogates and terminal sequences (`text`), never HTML.
- The summary, chart, environment and a table of cases (failures first, within limits its
  caption states) are in the page itself, the table inside `<noscript>`, so the report reads
  without JavaScript at no DOM cost with it.
- Every case is in one `<script type="application/json">` block formatted by hand (`data`);
  the script builds the list from it a page at a time, always through `textContent`.
- The Content-Security-Policy allows only the page's own inline script and style, by hash.
- What changed since an earlier run, for a compared run, is `templates/compare.html` (its
  view model `compare_view`); its style and script follow the page's own in the one
  `<style>` and `<script>` (`STYLES`, `SCRIPTS`).

Every run writes this report, so jinja2 is imported only here, when it is written, and the
template is compiled once and kept in the user's cache folder (`python -m bench` times it).
"""

from __future__ import annotations

import gc
import os
import sys
from functools import cache
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from thinking_tests.model import Attempt, CaseResult, RunResult
from thinking_tests.reports._files import write_atomic
from thinking_tests.reports.html import view

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "report.html"
SCRIPT = "report.js"
STYLE = "report.css"
# Each part's own style and script (the charts, the comparison) after the page's, in the
# one <style> and <script>.
STYLES = (STYLE, "charts.css", "compare.css")
SCRIPTS = (SCRIPT, "charts.js", "compare.js")

_DURATION = attrgetter("duration")
_START = attrgetter("start")
_STAGES = attrgetter("stages")
_ATTEMPTS = attrgetter("attempts")


def template_dir() -> Path:
    """The folder of the report templates.

    Installed from a wheel, the templates sit inside the package (`thinking_tests/templates`);
    in a source checkout or an editable install, in the repository's top-level `templates/`.
    """
    package = Path(__file__).resolve().parents[2]
    candidates = (package / "templates", package.parent / "templates")
    for candidate in candidates:
        if (candidate / TEMPLATE).is_file():
            return candidate
    tried = " nor ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(f"the HTML report template {TEMPLATE} is in neither {tried}")


def write(results: RunResult, path: Path, *, max_output: int = 1024 * 1024) -> None:
    """Write the HTML report of `results` to `path`, atomically, as UTF-8.

    Every text of a case (output, logs, traceback, message) is cut to about `max_output`
    characters, keeping its head and tail.
    """
    directory = template_dir()
    template = _template(directory)
    style, script, csp = _statics(directory)
    # Building tens of thousands of small strings would set off repeated collections of the
    # whole heap (which holds the run's results); nothing built here is cyclic.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            model = view.page(results, path, max_output, style=style, script=script, csp=csp)
        except (ValueError, OverflowError):
            # A NaN, infinite or absurd time (a hand-edited or hostile journal) fails the
            # conversion to whole microseconds. Looking for one up front would cost every run
            # a pass over all cases and stages; a run without one re-raises.
            finite = _finite(results)
            if finite is results:
                raise
            model = view.page(finite, path, max_output, style=style, script=script, csp=csp)
        # Written as jinja2 renders it, part by part: the page is never a whole string
        # and a whole bytes object besides (each megabytes for a big run, touched anew).
        write_atomic(path, (part.encode("utf-8") for part in template.generate(model)))
    finally:
        if collecting:
            gc.enable()


@cache
def _template(directory: Path) -> jinja2.Template:
    """The page's template, from one jinja2 Environment per process; plain options, so the
    page is what any `Environment(autoescape=True)` renders from `templates/`."""
    import jinja2  # here, not at the top: only a run that writes this report pays for it

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a variable the view model lacks is an error here
        bytecode_cache=_bytecode_cache(),
    )
    return environment.get_template(TEMPLATE)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """The compiled template kept in the user's cache folder; None when there is no folder
    to keep it in, and the template is compiled in memory each process."""
    # A bytecode cache rather than ModuleLoader: same load cost (one read and unmarshal), no
    # build step, and a changed template or jinja2 is recompiled by its checksum and magic.
    import jinja2

    class Cache(jinja2.FileSystemBytecodeCache):
        """One that never fails the report: an entry it cannot read is compiled again, one it
        cannot write is not kept.

        Keyed, as jinja2's own, by the template's path too: compiled code names the file it
        was compiled from (tracebacks, and coverage's omit of the runner's own files, go by
        it). Unlike jinja2's, the folder is bounded: an entry written for one path removes
        all but the `_KEPT` most recently used of the same template name, jinja2 and Python
        version, so every checkout, virtualenv or temporary copy does not leave a file of its
        own forever, and a few used in turn do not take turns compiling it.
        """

        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            import hashlib  # imported by jinja2's bytecode cache already

            where = hashlib.sha1((filename or "").encode("utf-8", "surrogatepass")).hexdigest()
            return f"{_family(name)}{where[:16]}"

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable or corrupt (pickle, marshal and OS errors alike)
                bucket.reset()
                return
            if bucket.code is not None:
                try:  # used: its modification time orders the entries kept
                    os.utime(self._get_cache_filename(bucket))
                except OSError:
                    pass

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                return
            prefix = bucket.key[:-16]  # the key less its path's hash
            try:
                entries = [
                    os.path.join(self.directory, entry)
                    for entry in os.listdir(self.directory)
                    if entry.startswith(prefix) and entry.endswith(".cache")
                ]
                entries.sort(key=_modified, reverse=True)
                for entry in entries[_KEPT:]:
                    os.unlink(entry)
            except OSError:
                pass

    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative, which the XDG specification ignores
        base = os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "thinking-tests", "jinja2")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return Cache(folder, "%s.cache")


# Entries kept a template: enough for the checkouts and virtualenvs of one person.
_KEPT = 8


def _modified(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:  # removed meanwhile by another run
        return 0.0


def _family(name: str) -> str:
    """The part of a cache key every copy of template `name` shares: its name, jinja2's
    version and Python's (an entry is Python bytecode)."""
    import jinja2

    python = "%d.%d" % sys.version_info[:2]
    version = vars(jinja2).get("__version__", "")  # not through a deprecation hook
    key = f"{name}-jinja2-{version}-py{python}-"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in key)


@cache
def _statics(directory: Path) -> tuple[object, object, str]:
    """The page's own style and script, as markup, and the Content-Security-Policy that
    allows exactly them, by hash; read once a process (a run writes its page twice: the
    unfinished-run stand-in, then the real one)."""
    from markupsafe import Markup

    # The hash is of the element's text as the browser parses it: newlines normalised.
    style = "\n".join(_read(directory, name) for name in STYLES)
    script = "\n".join(_read(directory, name) for name in SCRIPTS)
    csp = (
        "default-src 'none'; "
        f"script-src {_hash(script)}; "
        f"style-src {_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return Markup(style), Markup(script), csp


def _read(directory: Path, name: str) -> str:
    """A file of the templates folder, its newlines normalised."""
    return (directory / name).read_text(encoding="utf-8").replace("\r\n", "\n")


def _hash(text: str) -> str:
    import base64
    import hashlib  # jinja2's bytecode cache has imported it already

    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _finite(results: RunResult) -> RunResult:
    """Times that are NaN, infinite or absurd (a hand-edited or hostile journal) shown as 0;
    `results` itself when every time is usable."""
    usable = view.usable
    cases = results.cases
    attempts = list(chain.from_iterable(map(_ATTEMPTS, cases)))
    stages = chain.from_iterable(map(_STAGES, chain(cases, attempts)))
    times = chain(
        (results.start, results.duration),
        map(_DURATION, cases),
        map(_START, cases),
        map(_DURATION, attempts),
        map(_START, attempts),
        map(_DURATION, stages),
    )
    if all(map(usable, times)):
        return results

    from dataclasses import replace

    def fix(value: float) -> float:
        return value if usable(value) else 0.0

    def fixed(result: CaseResult | Attempt) -> CaseResult | Attempt:
        return replace(
            result,
            duration=fix(result.duration),
            start=fix(result.start),
            stages=tuple(replace(s, duration=fix(s.duration)) for s in result.stages),
        )

    fixed_cases = tuple(
        replace(fixed(c), attempts=tuple(map(fixed, c.attempts))) if c.attempts else fixed(c)
        for c in cases
    )
    return replace(
        results, cases=fixed_cases, start=fix(results.start), duration=fix(results.duration)
    )
