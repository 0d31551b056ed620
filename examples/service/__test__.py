"""Settings of this project's test runs; imported before any test module."""

from thinking_tests import config

try:  # the tests start the real service: say what is missing before any test module loads
    import fastapi, httpx, uvicorn  # noqa: E401, F401
except ImportError as error:
    raise ImportError(
        f"the service tests need {error.name}, which is not installed: pip install fastapi uvicorn httpx"
    ) from None

config.coverage.source = ["service"]
config.timeout = 30                       # a server that stops answering fails a case, not the run

# Every other setting, at its default; uncomment to change one.
# config.backend = "unittest"              # or "pytest"
# config.reports.directory = "reports"     # relative report paths resolve under it
# config.reports.junit_xml = "junit.xml"   # None turns a report off
# config.reports.html = "report.html"
# config.coverage.enabled = True
# config.coverage.branch = False
# config.coverage.fail_under = None        # e.g. 90: the run fails below 90 % coverage
