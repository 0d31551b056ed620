"""Settings of this project's test runs; imported before any test module."""

from thinking_tests import config

from test.aspects import stage_timings

config.coverage.source = ["trainer"]
config.timeout = 60                       # a safety net: no case of this job may hang a run
config.aspects.append(stage_timings)      # reports/stage_timings.json: each case's stages

# Every other setting, at its default; uncomment to change one.
# config.backend = "unittest"              # or "pytest"
# config.reports.directory = "reports"     # relative report paths resolve under it
# config.reports.junit_xml = "junit.xml"   # None turns a report off
# config.reports.html = "report.html"
# config.coverage.enabled = True
# config.coverage.branch = False
# config.coverage.fail_under = None        # e.g. 90: the run fails below 90 % coverage
