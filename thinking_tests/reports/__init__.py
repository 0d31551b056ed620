"""Reports: one module per report, each with one entry point `write(results, path)`.

Every report reads only the neutral result model (`thinking_tests.model`). The built-in
reports are found by the table below, without scanning the installed distributions; they
are declared in the entry-point group `thinking_tests.reports` too. A report of another
package is a `write(results, path)` callable (a keyword `max_output` is optional) declared
in that group, and is looked up there (`thinking_tests.reports.plugins`) only when
`config.reports.plugins` names it.
"""

GROUP = "thinking_tests.reports"

# The setting of `config.reports` that turns each built-in report on -> its module.
BUILT_IN: dict[str, str] = {
    "junit_xml": "thinking_tests.reports.junit_xml",
    "html": "thinking_tests.reports.html",
    "json": "thinking_tests.reports.ctrf",
}
