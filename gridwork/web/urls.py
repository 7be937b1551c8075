from django.urls import path, register_converter

from gridwork.notify import views as notify
from gridwork.transfer import views as transfer
from gridwork.web.views import (
    areas,
    audit,
    auth,
    break_glass,
    case_report,
    cases,
    duplicates,
    exports,
    fieldwork_overview,
    fieldwork_patrols,
    fieldwork_visits,
    home,
    public,
    register,
)
from gridwork.web.views import fieldwork_reports as fw_reports


class AreaCodeConverter:
    """6, 9, 12 or 15 digits; anything else is not an area and answers 404 before any query."""

    regex = r"\d{6}(?:\d{3}){0,3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AreaCodeConverter, "areacode")

app_name = "web"
urlpatterns = [
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("login/code/", auth.otp_verify, name="otp_verify"),
    path("account/authenticator/", auth.otp_enrol, name="otp_enrol"),
    path("", home.home, name="home"),
    path("areas/<areacode:code>/", areas.area_detail, name="area"),
    path("areas/<areacode:code>/people/", areas.area_people, name="area_people"),
    path("areas/<areacode:code>/organisations/", areas.area_organisations, name="area_organisations"),
    path("areas/<areacode:code>/objects/", areas.area_objects, name="area_objects"),
    path("buildings/<int:pk>/", register.building_detail, name="building"),
    path("households/<int:pk>/", register.household_detail, name="household"),
    path("people/<int:pk>/", register.person_detail, name="person"),
    path("people/<int:pk>/reveal/", register.person_reveal, name="person_reveal"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.<str:file_format>", audit.audit_export, name="audit_export"),
    path("break-glass/", break_glass.break_glass_form, name="break_glass"),
    path("imports/", transfer.imports, name="imports"),
    path("imports/templates/<str:kind>.<str:file_format>", transfer.import_template, name="import_template"),
    path("imports/<int:pk>/", transfer.import_job, name="import_job"),
    path("imports/<int:pk>/errors.<str:file_format>", transfer.import_errors, name="import_errors"),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("duplicates/merge/", duplicates.merge, name="duplicates_merge"),
    path("areas/<areacode:code>/export/<slug:kind>/", exports.export_list, name="area_export"),
    path("cases/", cases.queue, name="cases"),
    path("cases/new/", case_report.case_new, name="case_new"),
    path("cases/new/duplicates/", case_report.case_duplicates, name="case_duplicates"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/act/<slug:action>/", cases.case_act, name="case_act"),
    path("cases/<int:pk>/reveal/", cases.case_reveal, name="case_reveal"),
    path("cases/<int:pk>/public-text/", cases.case_publish, name="case_publish"),
    path("cases/<int:pk>/photos/<int:photo_pk>/", cases.case_photo, name="case_photo"),
    path("report/", public.report, name="public_report"),
    path("report/done/", public.reported, name="public_reported"),
    path("track/", public.track, name="public_track"),
    path("track/<str:code>/", public.track_case, name="public_track_case"),
    path("track/<str:code>/rate/", public.rate, name="public_rate"),
    path("inbox/", notify.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", notify.mark_read, name="inbox_read"),
    path("inbox/read-all/", notify.mark_all_read, name="inbox_read_all"),
    path("patrol/", fieldwork_patrols.patrol_now, name="patrol_now"),
    path("patrol/start/", fieldwork_patrols.patrol_start, name="patrol_start"),
    path("patrols/coverage/", fieldwork_patrols.patrol_coverage, name="patrol_coverage"),
    path("patrols/<int:pk>/", fieldwork_patrols.patrol_detail, name="patrol"),
    path("patrols/<int:pk>/end/", fieldwork_patrols.patrol_end, name="patrol_end"),
    path("patrols/<int:pk>/findings/", fieldwork_patrols.patrol_finding_add, name="patrol_finding_add"),
    path("patrol-findings/<int:pk>/case/", fieldwork_patrols.patrol_finding_case, name="patrol_finding_case"),
    path(
        "patrol-findings/<int:pk>/photo/", fieldwork_patrols.patrol_finding_photo, name="patrol_finding_photo"
    ),
    path("fieldwork/", fieldwork_visits.plan, name="fieldwork_plan"),
    path("fieldwork/visit/", fieldwork_visits.visit_form, name="fieldwork_visit"),
    path("fieldwork/memo/", fieldwork_visits.memo_form, name="fieldwork_memo"),
    path("fieldwork/report/", fieldwork_visits.report_form, name="fieldwork_report"),
    path("fieldwork/memos/", fieldwork_visits.memo_list, name="fieldwork_memos"),
    path("fieldwork/visits/", fieldwork_overview.visits_overview, name="fieldwork_visits_overview"),
    path("fieldwork/memos/<int:pk>/<slug:what>/", fieldwork_visits.memo_become, name="fieldwork_memo_become"),
    path("fieldwork/sw.js", fieldwork_visits.service_worker, name="fieldwork_sw"),
    path("fieldwork/manifest.webmanifest", fieldwork_visits.manifest, name="fieldwork_manifest"),
    # Field work, part "reports"
    path("fieldwork/reports/", fw_reports.reports, name="fieldwork_reports"),
    path("fieldwork/reports/start/", fw_reports.report_start, name="fieldwork_report_start"),
    path("fieldwork/reports/<int:pk>/", fw_reports.report_detail, name="fieldwork_weekly_report"),
    path("fieldwork/reports/<int:pk>/<slug:action>/", fw_reports.report_act, name="fieldwork_report_act"),
    path("fieldwork/report-lapses/", fw_reports.lapses, name="fieldwork_lapses"),
    path("fieldwork/forwarded/", fw_reports.forwarded, name="fieldwork_forwarded"),
    path("fieldwork/worklog/", fw_reports.worklog_page, name="fieldwork_worklog"),
    path("fieldwork/meetings/", fw_reports.meetings_page, name="fieldwork_meetings"),
    path("fieldwork/meetings/<int:pk>/", fw_reports.meeting_detail, name="fieldwork_meeting"),
    path("fieldwork/tasks/<int:pk>/done/", fw_reports.task_done, name="fieldwork_task_done"),
    path("fieldwork/problems/", fw_reports.problems, name="fieldwork_problems"),
    path("fieldwork/problems/<int:pk>/<slug:action>/", fw_reports.problem_act, name="fieldwork_problem_act"),
]
