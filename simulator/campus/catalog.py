"""The university's MCP servers, their tools and how each server annotates them.

Four servers declare full MCP annotations (``destructiveHint`` included: the LMS, research
storage, identity and finance), four only ``readOnlyHint`` (HPC scheduler, mail, registrar, lab
instruments) and three none (library, helpdesk, code hosting). A tool is
``name -> (server, result bytes (lo, hi), duration ms (lo, hi))``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ANNOTATIONS", "SERVERS", "TOOLS", "URI_SCHEMES", "server_of"]

_F: Final = False
_T: Final = True

#: tool -> (server, result bytes range, duration ms range)
TOOLS: Final[dict[str, tuple[str, tuple[int, int], tuple[int, int]]]] = {
    # LMS (Moodle-like): courses, assignments, submissions, grades, forums, exam papers
    "course_list": ("lms", (800, 4_000), (40, 160)),
    "course_get": ("lms", (2_000, 12_000), (50, 200)),
    "assignment_get": ("lms", (1_000, 6_000), (40, 180)),
    "submission_upload": ("lms", (200, 600), (300, 2_500)),
    "submission_list": ("lms", (3_000, 40_000), (80, 400)),
    "submission_download": ("lms", (40_000, 2_500_000), (200, 3_000)),
    "submission_delete": ("lms", (150, 300), (60, 200)),
    "grade_get": ("lms", (300, 2_000), (30, 120)),
    "grade_set": ("lms", (200, 500), (60, 250)),
    "gradebook_export": ("lms", (60_000, 900_000), (800, 6_000)),
    "forum_search": ("lms", (1_500, 20_000), (90, 600)),
    "forum_post": ("lms", (300, 800), (80, 300)),
    "exam_paper_get": ("lms", (150_000, 3_000_000), (300, 2_000)),
    # research data storage
    "rds_list": ("rds", (1_000, 30_000), (60, 500)),
    "rds_read": ("rds", (20_000, 4_000_000), (200, 6_000)),
    "rds_write": ("rds", (200, 600), (300, 8_000)),
    "dataset_delete": ("rds", (150, 400), (100, 900)),
    "dataset_share": ("rds", (200, 600), (80, 300)),
    # HPC batch scheduler (Slurm-like)
    "job_submit": ("hpc", (200, 500), (100, 700)),
    "job_status": ("hpc", (300, 3_000), (30, 150)),
    "job_cancel": ("hpc", (150, 300), (50, 200)),
    "queue_list": ("hpc", (2_000, 25_000), (80, 400)),
    "job_output": ("hpc", (2_000, 400_000), (100, 2_000)),
    # library and e-journals
    "catalogue_search": ("library", (2_000, 18_000), (150, 1_200)),
    "ejournal_fetch": ("library", (150_000, 3_500_000), (400, 5_000)),
    "loan_renew": ("library", (200, 500), (60, 250)),
    "interlibrary_request": ("library", (200, 700), (90, 400)),
    # identity and accounts
    "account_get": ("identity", (500, 2_500), (30, 150)),
    "account_create": ("identity", (300, 900), (150, 900)),
    "account_disable": ("identity", (150, 400), (80, 300)),
    "account_delete": ("identity", (150, 300), (100, 500)),
    "group_add_member": ("identity", (150, 400), (60, 250)),
    "password_reset": ("identity", (200, 500), (100, 400)),
    "mfa_reset": ("identity", (200, 500), (100, 400)),
    # mail and announcements
    "mail_search": ("mail", (1_500, 15_000), (100, 700)),
    "mail_read": ("mail", (1_000, 40_000), (50, 300)),
    "mail_send": ("mail", (200, 600), (150, 900)),
    "announcement_post": ("mail", (200, 600), (200, 1_000)),
    # finance and procurement
    "po_create": ("finance", (400, 1_200), (200, 900)),
    "po_approve": ("finance", (200, 500), (100, 400)),
    "invoice_get": ("finance", (1_000, 30_000), (80, 400)),
    "expense_submit": ("finance", (300, 900), (200, 900)),
    "budget_report": ("finance", (20_000, 400_000), (600, 5_000)),
    # IT helpdesk
    "ticket_create": ("helpdesk", (300, 900), (100, 500)),
    "ticket_get": ("helpdesk", (800, 6_000), (40, 200)),
    "ticket_update": ("helpdesk", (200, 600), (60, 300)),
    "ticket_search": ("helpdesk", (1_500, 20_000), (100, 600)),
    "kb_search": ("helpdesk", (1_000, 9_000), (90, 500)),
    # registrar / student records
    "student_get": ("registrar", (800, 5_000), (40, 200)),
    "enrolment_list": ("registrar", (3_000, 80_000), (100, 900)),
    "enrolment_update": ("registrar", (200, 600), (100, 500)),
    "transcript_get": ("registrar", (4_000, 30_000), (100, 600)),
    "exam_timetable_get": ("registrar", (2_000, 20_000), (80, 400)),
    # code hosting (GitLab-like)
    "repo_list": ("git", (1_000, 10_000), (60, 300)),
    "file_get": ("git", (500, 60_000), (50, 400)),
    "commit_push": ("git", (200, 800), (300, 3_000)),
    "mr_create": ("git", (400, 1_200), (150, 700)),
    "pipeline_status": ("git", (500, 6_000), (40, 200)),
    # lab instruments (mass spectrometer, sequencer, microscope)
    "run_upload": ("instruments", (200, 500), (1_000, 20_000)),
    "run_list": ("instruments", (1_000, 12_000), (60, 300)),
    "calibration_get": ("instruments", (500, 3_000), (40, 200)),
}

SERVERS: Final[tuple[str, ...]] = tuple(dict.fromkeys(s for s, _, _ in TOOLS.values()))

#: resource URI schemes (resources/read): lecture slides, datasets, library items, job logs, KB
URI_SCHEMES: Final[tuple[str, ...]] = ("lms://", "rds://", "library://", "hpc://", "kb://")

_FULL: Final = ("lms", "rds", "identity", "finance")
_READONLY_ONLY: Final = ("hpc", "mail", "registrar", "instruments")
_READS: Final = frozenset(
    {
        "course_list",
        "course_get",
        "assignment_get",
        "submission_list",
        "submission_download",
        "grade_get",
        "gradebook_export",
        "forum_search",
        "exam_paper_get",
        "rds_list",
        "rds_read",
        "job_status",
        "queue_list",
        "job_output",
        "account_get",
        "mail_search",
        "mail_read",
        "invoice_get",
        "budget_report",
        "student_get",
        "enrolment_list",
        "transcript_get",
        "exam_timetable_get",
        "run_list",
        "calibration_get",
    }
)
_DESTRUCTIVE: Final = frozenset(
    {"submission_delete", "dataset_delete", "account_delete", "account_disable", "grade_set"}
)
_IDEMPOTENT: Final = frozenset({"grade_set", "account_disable", "group_add_member", "rds_write"})


def _annotations() -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    for tool, (server, _, _) in TOOLS.items():
        ro = tool in _READS
        if server in _FULL:
            out[tool] = {
                "readOnlyHint": ro,
                "destructiveHint": tool in _DESTRUCTIVE,
                "idempotentHint": ro or tool in _IDEMPOTENT,
                "openWorldHint": _F,
            }
        elif server in _READONLY_ONLY:
            out[tool] = {"readOnlyHint": _T if ro else _F}
    return out


#: tool -> its MCP annotations as its server declares them (absent: the server declares none)
ANNOTATIONS: Final[dict[str, dict[str, bool]]] = _annotations()


def server_of(tool: str) -> str:
    """The server that serves ``tool`` (``KeyError`` for a tool no campus server has)."""
    return TOOLS[tool][0]
