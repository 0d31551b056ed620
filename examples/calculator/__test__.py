"""Settings of this project's test runs; imported before any test module."""

from thinking_tests import config

config.coverage.source = ["calculator"]

# Every other setting, at its default; uncomment to change one.
# config.backend = "unittest"              # or "pytest"
# config.timeout = None                    # seconds, for every case without its own
# config.reports.directory = "reports"     # relative report paths resolve under it
# config.reports.junit_xml = "junit.xml"   # None turns a report off
# config.reports.html = "report.html"
# config.coverage.enabled = True
# config.coverage.branch = False
# config.coverage.fail_under = None        # e.g. 90: the run fails below 90 % coverage
# config.coverage.xml = "coverage.xml"
# config.coverage.html = "coverage-html"   # a directory, index.html inside
#
# from test.aspects import timed
# config.aspects.append(timed)             # time every stage of every case
