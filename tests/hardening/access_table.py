"""The access matrix, declared once: for each API operation and page, what each role gets when it
acts on records that belong to student Avery (see `world.py`).

Columns, in order (`world.ROLES`):
    anon  applicant(own token only)  student(Avery)  other student  coach(Avery's)  other coach
    supervisor of another site  admin
Answers: the HTTP status; "200-" is a list that answers 200 without Avery's record in it.
A 400 or 409 in a column that may act means the role got through and the school's rules (or the
body) refused the change: the world's records are not in a state that allows it.
Someone else's record is a 404 (never a 403: ids do not leak); 403 is a role that may not use the
operation at all; 401 is no credentials (the applicant's token opens only its own application).
"""

# fmt: off
API = {
    ("GET", "/api/v1/applications/"): "401 401 403 403 200 200 403 200",
    ("POST", "/api/v1/applications/"): "201 201 201 201 201 201 201 201",
    ("GET", "/api/v1/applications/{id}/"): "401 404 403 403 200 200 403 200",
    ("POST", "/api/v1/applications/{id}/accept/"): "401 404 403 403 200 200 403 200",
    ("POST", "/api/v1/applications/{id}/decline/"): "401 404 403 403 200 200 403 200",
    ("POST", "/api/v1/applications/{id}/move/"): "401 404 403 403 409 409 403 409",
    ("POST", "/api/v1/applications/{id}/withdraw/"): "401 404 403 403 200 200 403 200",
    ("DELETE", "/api/v1/auth/token/"): "401 401 204 204 204 204 204 204",
    ("POST", "/api/v1/auth/token/"): "200 200 200 200 200 200 200 200",
    ("GET", "/api/v1/coach-notes/"): "401 401 403 403 200 200- 403 200",
    ("POST", "/api/v1/coach-notes/"): "401 401 403 403 201 400 403 201",
    ("GET", "/api/v1/coach-notes/{id}/"): "401 401 403 403 200 404 403 200",
    ("GET", "/api/v1/coaching-sessions/"): "401 401 200 200- 200 200- 403 200",
    ("POST", "/api/v1/coaching-sessions/"): "401 401 201 400 201 400 403 201",
    ("GET", "/api/v1/coaching-sessions/{id}/"): "401 401 200 404 200 404 403 200",
    ("PATCH", "/api/v1/coaching-sessions/{id}/"): "401 401 409 404 200 404 403 200",
    ("GET", "/api/v1/cohorts/"): "200 200 200 200 200 200 200 200",
    ("POST", "/api/v1/cohorts/"): "401 401 403 403 403 403 403 201",
    ("GET", "/api/v1/cohorts/{id}/"): "200 200 200 200 200 200 200 200",
    ("PATCH", "/api/v1/cohorts/{id}/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/cohorts/{id}/capacity-preview/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/cohorts/{id}/roster.pdf"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/cohorts/{id}/waitlist/"): "401 401 403 403 200 200 403 200",
    ("GET", "/api/v1/compliance-documents/"): "401 401 403 403 403 403 403 200",
    ("POST", "/api/v1/compliance-documents/"): "401 401 403 403 403 403 403 201",
    ("GET", "/api/v1/compliance-documents/{id}/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/employers/"): "401 401 200 200 200 200 403 200",
    ("POST", "/api/v1/employers/"): "401 401 403 403 201 201 403 201",
    ("POST", "/api/v1/employers/from-site/"): "401 401 403 403 201 201 403 201",
    ("GET", "/api/v1/employers/{id}/"): "401 401 200 200 200 200 403 200",
    ("PATCH", "/api/v1/employers/{id}/"): "401 401 403 403 200 200 403 200",
    ("GET", "/api/v1/exam-attempts/"): "401 401 200 200- 200 200- 403 200",
    ("POST", "/api/v1/exam-attempts/"): "401 401 400 400 201 400 403 201",
    ("GET", "/api/v1/exam-attempts/readiness/"): "401 401 200 404 200 404 403 200",
    ("DELETE", "/api/v1/exam-attempts/{id}/"): "401 401 409 404 409 404 403 409",
    ("GET", "/api/v1/exam-attempts/{id}/"): "401 401 200 404 200 404 403 200",
    ("PATCH", "/api/v1/exam-attempts/{id}/"): "401 401 200 404 200 404 403 200",
    ("POST", "/api/v1/exports/"): "401 401 403 403 403 403 403 202",
    ("GET", "/api/v1/exports/{id}/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/exports/{id}/download/"): "401 401 403 403 403 403 403 409",
    ("GET", "/api/v1/externships/"): "401 401 200 200- 200 200- 200- 200",
    ("POST", "/api/v1/externships/"): "401 401 403 403 403 403 403 201",
    ("DELETE", "/api/v1/externships/{id}/"): "401 401 403 403 403 403 403 409",
    ("GET", "/api/v1/externships/{id}/"): "401 401 200 404 200 404 404 200",
    ("PATCH", "/api/v1/externships/{id}/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/hour-logs/"): "401 401 200 200- 200 200- 200- 200",
    ("POST", "/api/v1/hour-logs/"): "401 401 201 400 403 403 403 403",
    ("POST", "/api/v1/hour-logs/bulk-approve/"): "401 401 403 403 200 400 400 200",
    ("GET", "/api/v1/hour-logs/{id}/"): "401 401 200 404 200 404 404 200",
    ("POST", "/api/v1/hour-logs/{id}/approve/"): "401 401 403 403 200 404 404 200",
    ("POST", "/api/v1/hour-logs/{id}/needs-info/"): "401 401 403 403 200 404 404 200",
    ("POST", "/api/v1/hour-logs/{id}/reject/"): "401 401 403 403 200 404 404 200",
    ("POST", "/api/v1/hour-logs/{id}/resubmit/"): "401 401 409 404 403 403 403 403",
    ("GET", "/api/v1/job-applications/"): "401 401 200 200- 200 200- 403 200",
    ("POST", "/api/v1/job-applications/"): "401 401 201 400 201 400 403 201",
    ("DELETE", "/api/v1/job-applications/{id}/"): "401 401 204 404 204 404 403 204",
    ("GET", "/api/v1/job-applications/{id}/"): "401 401 200 404 200 404 403 200",
    ("PATCH", "/api/v1/job-applications/{id}/"): "401 401 200 404 200 404 403 200",
    ("GET", "/api/v1/job-placements/"): "401 401 200 200- 200 200- 403 200",
    ("POST", "/api/v1/job-placements/"): "401 401 403 403 201 400 403 201",
    ("DELETE", "/api/v1/job-placements/{id}/"): "401 401 403 403 403 403 403 204",
    ("GET", "/api/v1/job-placements/{id}/"): "401 401 200 404 200 404 403 200",
    ("PATCH", "/api/v1/job-placements/{id}/"): "401 401 403 403 200 404 403 200",
    ("POST", "/api/v1/job-placements/{id}/verify/"): "401 401 403 403 200 404 403 200",
    ("POST", "/api/v1/messaging/sms/inbound/"): "403 403 403 403 403 403 403 403",
    ("GET", "/api/v1/people/"): "401 401 403 403 403 403 403 200",
    ("POST", "/api/v1/people/"): "401 401 403 403 403 403 403 201",
    ("GET", "/api/v1/people/{id}/"): "401 401 403 403 403 403 403 200",
    ("PATCH", "/api/v1/people/{id}/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/procedure-logs/"): "401 401 200 200- 200 200- 200- 200",
    ("POST", "/api/v1/procedure-logs/"): "401 401 201 400 403 403 403 403",
    ("POST", "/api/v1/procedure-logs/bulk-approve/"): "401 401 403 403 200 400 400 200",
    ("GET", "/api/v1/procedure-logs/{id}/"): "401 401 200 404 200 404 404 200",
    ("POST", "/api/v1/procedure-logs/{id}/approve/"): "401 401 403 403 200 404 404 200",
    ("POST", "/api/v1/procedure-logs/{id}/needs-info/"): "401 401 403 403 200 404 404 200",
    ("POST", "/api/v1/procedure-logs/{id}/reject/"): "401 401 403 403 200 404 404 200",
    ("POST", "/api/v1/procedure-logs/{id}/resubmit/"): "401 401 409 404 403 403 403 403",
    ("GET", "/api/v1/programs/"): "200 200 200 200 200 200 200 200",
    ("GET", "/api/v1/programs/{slug}/"): "200 200 200 200 200 200 200 200",
    ("GET", "/api/v1/reports/outcomes/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/reports/outcomes/students/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/sites/"): "401 401 403 403 200 200 403 200",
    ("POST", "/api/v1/sites/"): "401 401 403 403 403 403 403 201",
    ("DELETE", "/api/v1/sites/{id}/"): "401 401 403 403 403 403 403 409",
    ("GET", "/api/v1/sites/{id}/"): "401 401 403 403 200 200 403 200",
    ("PATCH", "/api/v1/sites/{id}/"): "401 401 403 403 403 403 403 200",
    ("PUT", "/api/v1/sites/{id}/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/students/"): "401 401 403 403 200 200- 403 200",
    ("GET", "/api/v1/students/{id}/"): "401 401 403 403 200 404 403 200",
    ("GET", "/api/v1/students/{id}/certificate.pdf"): "401 401 409 404 409 404 403 409",
    ("POST", "/api/v1/students/{id}/graduate/"): "401 401 403 403 403 403 403 400",
    ("POST", "/api/v1/students/{id}/leave/"): "401 401 403 403 200 404 403 200",
    ("GET", "/api/v1/students/{id}/messages/"): "401 401 403 403 200 404 403 200",
    ("POST", "/api/v1/students/{id}/messages/"): "401 401 403 403 201 404 403 201",
    ("GET", "/api/v1/students/{id}/progress/"): "401 401 200 404 200 404 403 200",
    ("POST", "/api/v1/students/{id}/reenter/"): "401 401 403 403 403 403 403 409",
    ("POST", "/api/v1/students/{id}/return/"): "401 401 403 403 409 404 403 409",
    ("POST", "/api/v1/students/{id}/withdraw/"): "401 401 403 403 403 403 403 200",
    ("GET", "/api/v1/unavailabilities/"): "401 401 403 403 200 200- 403 200",
    ("POST", "/api/v1/unavailabilities/"): "401 401 403 403 403 403 403 400",
    ("DELETE", "/api/v1/unavailabilities/{id}/"): "401 401 403 403 403 403 403 204",
    ("GET", "/api/v1/unavailabilities/{id}/"): "401 401 403 403 200 404 403 200",
    ("PATCH", "/api/v1/unavailabilities/{id}/"): "401 401 403 403 403 403 403 200",}
# fmt: on


def _columns(row: str) -> dict[str, str]:
    from tests.hardening.world import ROLES

    answers = row.split()
    assert len(answers) == len(ROLES), f"{row!r}: one answer per role ({len(ROLES)})"
    return dict(zip(ROLES, answers, strict=True))


def expected(operation: tuple[str, str], role: str) -> str:
    return _columns(API[operation])[role]


# Pages: "login" is a redirect to the sign-in page; 302 any other redirect (after a form); a "*"
# marks a request that changed Avery's records (the log's status, notes, sessions, messages to or
# from them). Tokens in the address are forged ones (see test_page_access.py). `/me/` and its
# forms answer 404 to anyone who is not a student: there is no "me" to show.
# fmt: off
PAGES = {
    ("GET", "/"): "200 200 200 200 200 200 200 200",
    ("GET", "/api/docs/"): "200 200 200 200 200 200 200 200",
    ("GET", "/api/schema/"): "200 200 200 200 200 200 200 200",
    ("GET", "/apply/{slug}/"): "200 200 200 200 200 200 200 200",
    ("GET", "/coach/"): "login login 403 403 200 200 403 200",
    ("GET", "/coach/availability/"): "login login 403 403 200 200 403 200",
    ("POST", "/coach/availability/"): "login login 403 403 302 302 403 302",
    ("GET", "/coach/availability/{id}/remove/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/availability/{id}/remove/"): "login login 403 403 302 404 403 404",
    ("GET", "/coach/calendar/{token}.ics"): "404 404 404 404 404 404 404 404",
    ("GET", "/coach/sessions/{id}.ics"): "login login 200 404 200 404 404 200",
    ("GET", "/coach/students/{id}/"): "login login 403 403 200 404 403 200",
    ("GET", "/coach/students/{id}/messages/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/messages/"): "login login 403 403 302* 404 403 302*",
    ("GET", "/coach/students/{id}/notes/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/notes/"): "login login 403 403 302* 404 403 302*",
    ("GET", "/coach/students/{id}/sessions/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/sessions/"): "login login 403 403 302* 404 403 302*",
    ("GET", "/coach/students/{id}/exam/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/exam/"): "login login 403 403 302* 404 403 302*",
    ("GET", "/coach/students/{id}/exam/{attempt}/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/exam/{attempt}/"): "login login 403 403 302* 404 403 302*",
    ("GET", "/coach/students/{id}/jobs/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/jobs/"): "login login 403 403 302* 404 403 302*",
    ("GET", "/coach/students/{id}/jobs/{application}/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/jobs/{application}/"): "login login 403 403 302* 404 403 302*",
    ("GET", "/coach/students/{id}/placements/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/placements/"): "login login 403 403 302* 404 403 302*",
    # The world's session is three days ahead: not held yet, so closing it is refused (400).
    ("GET", "/coach/students/{id}/sessions/{session}/"): "login login 405 405 405 405 405 405",
    ("POST", "/coach/students/{id}/sessions/{session}/"): "login login 403 403 400 404 403 400",
    ("GET", "/login/"): "200 200 302 302 302 302 302 302",
    ("GET", "/logout/"): "405 405 405 405 405 405 405 405",
    ("GET", "/me/"): "login login 200 200 404 404 404 404",
    ("GET", "/me/coach/messages/"): "login login 405 405 405 405 405 405",
    ("POST", "/me/coach/messages/"): "login login 302* 302 404 404 404 404",
    ("GET", "/me/hours/"): "login login 405 405 405 405 405 405",
    ("POST", "/me/hours/"): "login login 400 400 404 404 404 404",
    ("GET", "/me/logs/{kind}/{id}/answer/"): "login login 405 405 405 405 405 405",
    ("POST", "/me/logs/{kind}/{id}/answer/"): "login login 409 404 404 404 404 404",
    ("GET", "/me/procedures/"): "login login 405 405 405 405 405 405",
    ("POST", "/me/procedures/"): "login login 400 400 404 404 404 404",
    ("GET", "/me/sessions/"): "login login 405 405 405 405 405 405",
    ("POST", "/me/sessions/"): "login login 302* 400 404 404 404 404",
    ("GET", "/me/sessions/{id}/cancel/"): "login login 200 404 404 404 404 404",
    ("POST", "/me/sessions/{id}/cancel/"): "login login 302* 404 404 404 404 404",
    ("GET", "/me/sessions/{id}/move/"): "login login 200 404 404 404 404 404",
    ("POST", "/me/sessions/{id}/move/"): "login login 302* 404 404 404 404 404",
    ("GET", "/password-reset/"): "200 200 200 200 200 200 200 200",
    ("POST", "/password-reset/"): "200 200 200 200 200 200 200 200",
    ("GET", "/password-reset/sent/"): "200 200 200 200 200 200 200 200",
    ("GET", "/programs/{slug}/"): "200 200 200 200 200 200 200 200",
    ("GET", "/reports/outcomes.csv"): "login login 403 403 403 403 403 200",
    ("GET", "/reports/outcomes/"): "login login 403 403 403 403 403 200",
    ("GET", "/reports/outcomes/students/"): "login login 403 403 403 403 403 400",
    ("GET", "/reset/done/"): "200 200 200 200 200 200 200 200",
    ("GET", "/reset/{uidb64}/{token}/"): "200 200 200 200 200 200 200 200",
    ("GET", "/review/"): "login login 403 403 403 403 200 200",
    ("GET", "/review/all/{token}/"): "403 403 403 403 403 403 403 403",
    ("POST", "/review/all/{token}/"): "405 405 405 405 405 405 405 405",
    ("GET", "/review/all/{token}/approve/"): "405 405 405 405 405 405 405 405",
    ("POST", "/review/all/{token}/approve/"): "403 403 403 403 403 403 403 403",
    ("GET", "/review/all/{token}/{kind}/{id}/"): "405 405 405 405 405 405 405 405",
    ("POST", "/review/all/{token}/{kind}/{id}/"): "403 403 403 403 403 403 403 403",
    ("GET", "/review/approve/"): "login login 405 405 405 405 405 405",
    ("POST", "/review/approve/"): "login login 403 403 403 403 302 302*",
    ("GET", "/review/link/{token}/"): "403 403 403 403 403 403 403 403",
    ("POST", "/review/link/{token}/"): "403 403 403 403 403 403 403 403",
    ("GET", "/review/{kind}/{id}/"): "login login 405 405 405 405 405 405",
    ("POST", "/review/{kind}/{id}/"): "login login 403 403 403 403 404 302*",
    ("GET", "/start/"): "login login 302 302 302 302 302 302",
    ("GET", "/status/{token}/"): "404 404 404 404 404 404 404 404",
    ("GET", "/status/{token}/decline/"): "404 404 404 404 404 404 404 404",
    ("POST", "/status/{token}/decline/"): "404 404 404 404 404 404 404 404",
    ("GET", "/status/{token}/withdraw/"): "404 404 404 404 404 404 404 404",
    ("POST", "/status/{token}/withdraw/"): "404 404 404 404 404 404 404 404",
    ("GET", "/status/{token}/{verb}/"): "405 405 405 405 405 405 405 405",
    ("POST", "/status/{token}/{verb}/"): "404 404 404 404 404 404 404 404",
    ("GET", "/verify/{code}/"): "404 404 404 404 404 404 404 404",
}
# fmt: on


def expected_page(page: tuple[str, str], role: str) -> str:
    return _columns(PAGES[page])[role]
