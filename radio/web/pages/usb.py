"""Hamlets & USB: the registry (CSV import), export to a mounted stick or the station's export
folder with progress, and verification — the same services as `radio hamlet|export-usb|usb`.

Destinations are never typed paths: the page offers the mounted removable drives and the
station's own export folder, and the server accepts only one of those.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime
from pathlib import Path

from radio.domain.users import Role
from radio.errors import RadioError
from radio.i18n import _
from radio.web.core import Ctx, page
from radio.web.forms import bounded_text, language_from_form

REMOVABLE_FS = {"vfat", "msdos", "exfat", "fuseblk", "ntfs", "ntfs3", "fuse.fusefat"}
MOUNT_ROOTS = ("/media/", "/run/media/", "/mnt/")
_export_lock = threading.Lock()


def export_folder(app) -> Path:
    return app.settings.station_home.exports_dir


def destinations(app) -> list[Path]:
    """Where an export may go: the station's export folder and every mounted removable drive."""
    found = [export_folder(app)]
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) > 2 and parts[2] in REMOVABLE_FS and parts[1].startswith(MOUNT_ROOTS):
                    found.append(Path(parts[1].replace("\\040", " ")))
    except OSError:
        pass
    return found


def destination_label(app, dest: Path | str) -> str:
    """A destination as a person names it: this computer's export folder, or the stick by its
    name (its volume label, as the mount point shows it), never a raw path."""
    dest, home = Path(dest), export_folder(app)
    if dest == home or home in dest.parents:
        return _("the export folder on this computer")
    for root in destinations(app)[1:]:
        if dest == root or root in dest.parents:
            return _("USB stick {name}").format(name=root.name)
    return _("USB stick {name}").format(name=dest.name)


TEMPLATE_CSV = (  # the headings are the importer's Vietnamese aliases (domain/usb.py: CSV_ALIASES)
    "Mã thôn,Tên thôn,Ngôn ngữ,Chủ đề,Ghi chú\n"
    "DONGTAM,Thôn Đồng Tâm,vi,,\n"
    'BANDON,Bản Đôn,"vi, hmn",,\n'
)


def destination_key(app, dest: Path) -> str:
    """What the form sends for a destination: a name, never a path (the server alone maps it)."""
    return "export" if dest == export_folder(app) else "usb:" + dest.name


def _chosen(ctx: Ctx) -> Path:
    wanted = ctx.f("dest")
    for dest in destinations(ctx.app):
        if destination_key(ctx.app, dest) == wanted:
            dest.mkdir(exist_ok=True) if dest == export_folder(ctx.app) else None
            return dest
    raise RadioError(_("choose a destination from the list"))


def usb_page(ctx: Ctx):
    app = ctx.app
    job = ctx.web.jobs.get(ctx.q("job")) if ctx.q("job") else None
    return ctx.render("usb.html", hamlets=app.hamlets.list(), packages=app.hamlets.packages()[-20:],
                      destinations=destinations(app), job=job, job_id=ctx.q("job"), topics=app.taxonomy.topics,
                      where=lambda d: destination_label(app, d), key=lambda d: destination_key(app, d))  # fmt: skip


def template_csv(ctx: Ctx):
    """A sample list of hamlets to fill in Excel: the columns the import reads, in Vietnamese."""
    from starlette.responses import Response

    return Response(TEMPLATE_CSV.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="danh-sach-thon.csv"'})  # fmt: skip


def job_fragment(ctx: Ctx):
    job = ctx.web.jobs.get(ctx.request.path_params["job_id"])
    if job is None:
        return ctx.render("error.html", status=404, message=_("no such export"))
    return ctx.render("usb_job.html", job=job, where=lambda d: destination_label(ctx.app, d))


def import_csv(ctx: Ctx):
    from radio.export.hamlets import import_hamlets

    upload = ctx.form.get("file") if ctx.form is not None else None
    text = ctx.f("text")
    if upload is not None and not isinstance(upload, str):
        data = upload.file.read(2 * 1024 * 1024 + 1)
        if len(data) > 2 * 1024 * 1024:
            raise RadioError(_("the CSV file is too large"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise RadioError(_("not UTF-8 text (in Excel: Save As 'CSV UTF-8'); first bad byte at {pos}").format(
                pos=err.start)) from None  # fmt: skip
    if not text.strip():
        raise RadioError(_("choose a CSV file"))
    summary = import_hamlets(ctx.app, text, ctx.f("update") == "on")
    ctx.audit("hamlet.import", f"+{summary.added} ~{summary.updated}")
    ctx.flash(_("imported {added} new hamlets, updated {updated}, skipped {skipped} existing, {bad} bad rows").format(
        added=summary.added, updated=summary.updated, skipped=len(summary.existing), bad=len(summary.errors)))  # fmt: skip
    for line, message in summary.errors[:20]:
        ctx.flash(_("line {line}: {message}").format(line=line, message=message), "error")
    return ctx.redirect("/usb")


def hamlet_add(ctx: Ctx):
    from radio.export.hamlets import build_hamlet

    app = ctx.app
    languages = [language_from_form(code) for code in ctx.f_all("languages")] or ["vi"]
    topics = [app.taxonomy.resolve(code).code for code in ctx.f_all("topics")]
    name, notes = bounded_text(ctx.f("name"), _("Name"), 200), bounded_text(ctx.f("notes"), _("Notes"), 500)
    h = app.hamlets.add(build_hamlet(app.taxonomy, ctx.f("code"), name, ",".join(languages), ",".join(topics), notes))
    ctx.audit("hamlet.add", f"{h.code} {h.name}")
    ctx.flash(_("added hamlet {code} {name}").format(code=h.code, name=h.name))
    return ctx.redirect("/usb")


def hamlet_remove(ctx: Ctx):
    from radio.export.hamlets import parse_code

    code = parse_code(ctx.request.path_params["code"])
    ctx.app.hamlets.remove(code)
    ctx.audit("hamlet.remove", code)
    ctx.flash(_("removed hamlet {code}").format(code=code))
    return ctx.redirect("/usb")


def _run(app, job: dict, dest: Path, hamlets, on) -> None:
    from radio.domain.usb import PROFILES
    from radio.export.service import Progress, run_export, skipped_message

    def transcode_start(n):
        job.update(stage="transcode", total=n, done=0)

    def transcoded(_encoded):
        job["done"] = job.get("done", 0) + 1

    def write_start(files, total_bytes):
        job.update(stage="write", total=files, done=0)

    def wrote_file(name):
        job["done"] = job.get("done", 0) + 1

    progress = Progress(transcode_start=transcode_start, transcoded=transcoded, write_start=write_start,
                        wrote_file=wrote_file, warning=lambda m: job["messages"].append(m))  # fmt: skip
    try:
        plan, written = run_export(app, dest, hamlets, on, PROFILES[app.settings.usb.profile], None, progress)
        if plan.skipped:
            job["messages"].append(skipped_message(plan.skipped))
        job["written"] = [(w.target.folder.name, len(w.manifest["items"]), w.package_id) for w in written]
        job["stage"] = "done"
    except RadioError as err:
        job.update(stage="failed", error=str(err))
    except Exception as err:  # shown to the operator; the traceback goes to the journal
        import traceback

        traceback.print_exc()
        job.update(stage="failed", error=repr(err))
    finally:
        _export_lock.release()


def export(ctx: Ctx):
    app = ctx.app
    dest = _chosen(ctx)
    codes = ctx.f_all("hamlet")
    hamlets = app.hamlets.list() if ctx.f("all") == "on" or not codes else app.hamlets.get_many(codes)
    if not hamlets:
        raise RadioError(_("no hamlets registered yet: add them below, one by one or from a list"))
    if not _export_lock.acquire(blocking=False):
        raise RadioError(_("an export is already running"))
    job_id = secrets.token_urlsafe(9)
    job = {"id": job_id, "stage": "plan", "total": 0, "done": 0, "messages": [], "dest": str(dest),
           "hamlets": [h.code for h in hamlets], "written": [], "error": None}  # fmt: skip
    ctx.web.jobs[job_id] = job
    ctx.audit("usb.export", f"{dest}: {', '.join(job['hamlets'])}")
    on = datetime.now(app.settings.zone).date()
    threading.Thread(target=_run, args=(app, job, dest, hamlets, on), daemon=True, name="usb-export").start()
    return ctx.redirect(f"/usb?job={job_id}")


def verify_page(ctx: Ctx):
    from radio.export.verify import verify

    dest = _chosen(ctx)
    report = verify(dest)
    ctx.audit("usb.verify", f"{dest}: {'ok' if report.ok else 'problems'}")
    return ctx.render("usb_verify.html", report=report, dest=dest, where=lambda d: destination_label(ctx.app, d))


def routes() -> list:
    return [
        page("/usb", usb_page),
        page("/usb/jobs/{job_id:str}", job_fragment),
        page("/usb/hamlets/template.csv", template_csv),
        page("/usb/hamlets/add", hamlet_add, role=Role.OPERATOR, methods=("POST",)),
        page("/usb/hamlets/{code:str}/remove", hamlet_remove, role=Role.OPERATOR, methods=("POST",)),
        page("/usb/hamlets/import", import_csv, role=Role.OPERATOR, methods=("POST",), files=1),
        page("/usb/export", export, role=Role.OPERATOR, methods=("POST",)),
        page("/usb/verify", verify_page, role=Role.OPERATOR, methods=("POST",)),
    ]
