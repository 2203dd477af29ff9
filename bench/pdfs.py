"""PDF documents against a bare WeasyPrint page of the same size with the same images.

For each document kind (certificate, recruitment flyer and poster, team introduction flyer
and poster) the measured work is what the worker does for it: the registered builder (reads,
QR code) and the one render function (`programmes.pdf.render_pdf`). Its floor is a bare HTML
page of the same paper size holding the same images (logos, photo), through WeasyPrint in
the same process. Images are what the upload forms leave: a 2400-pixel JPEG photo, PNG logos
of at most 800 pixels. After a warm-up, rounds run A B A B; prints the median of each, the
ratio and the target (within 1.5x).
Run: .venv/bin/python bench/pdfs.py [rounds]
"""

import io
import os
import statistics
import sys
import tempfile
import time

_tmp = tempfile.mkdtemp(prefix="bench-pdfs-")
os.environ.setdefault("TEST_SQLITE_NAME", os.path.join(_tmp, "db.sqlite3"))
os.environ.setdefault("TEST_MEDIA_ROOT", os.path.join(_tmp, "media"))

import logging  # noqa: E402

from _setup import bench_programme, django_with_test_db  # noqa: E402

TARGET = 1.5


def _photo(width: int, height: int, fmt: str) -> bytes:
    """A photo-like image (gradients and noise: compresses like a photo, not like a flat
    colour)."""
    from PIL import Image, ImageDraw, ImageFilter

    noise = Image.effect_noise((width, height), 60).convert("L")
    image = Image.merge(
        "RGB",
        (
            noise,
            Image.linear_gradient("L").resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
        ),
    ).filter(ImageFilter.GaussianBlur(1))
    ImageDraw.Draw(image).ellipse((width // 4, height // 4, width // 2, height // 2), fill="red")
    out = io.BytesIO()
    image.save(out, format=fmt, quality=85)
    return out.getvalue()


def main(rounds: int) -> None:
    connection = django_with_test_db()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # no progress lines

    import datetime as dt

    from django.core.files.base import ContentFile
    from django_scopes import scopes_disabled

    from programmes.models import Document
    from programmes.pdf import media_file_url, render_pdf
    from programmes.registry import document_kind
    from recruitment.services import campaign_for
    from trainings.models import Certificate, TeamIntroduction

    org, leader, programme = bench_programme()
    with scopes_disabled():
        org.logo.save("logo.png", ContentFile(_photo(800, 300, "PNG")))
        org.consultancy.logo.save("bureau.png", ContentFile(_photo(600, 240, "PNG")))
        campaign = campaign_for(programme=programme)
        campaign.headline = "Word lid van het BewonersTeam!"
        campaign.material_text = "Samen houden we de buurt schoon, heel en veilig. " * 3
        campaign.photo.save("photo.jpg", ContentFile(_photo(2400, 1600, "JPEG")))
        intro = TeamIntroduction.objects.create(
            organisation=org, programme=programme, contact="Bel 020 123 45 67"
        )
        intro.photo.save("team.jpg", ContentFile(_photo(2400, 1600, "JPEG")))
        certificate = Certificate.objects.create(
            organisation=org,
            programme=programme,
            holder_name="Fatima el Amrani",
            trainer="J. de Vries",
            issued_on=dt.date(2026, 10, 1),
        )
        documents = {
            kind: Document.objects.create(
                organisation=org,
                programme=programme,
                kind=kind,
                ref=str(certificate.pk) if kind == "certificate" else "",
            )
            for kind in (
                "certificate",
                "recruitment_flyer",
                "recruitment_poster",
                "introduction_flyer",
                "introduction_poster",
            )
        }
        logo, bureau = media_file_url(org.logo), media_file_url(org.consultancy.logo)
        photo, team = media_file_url(campaign.photo), media_file_url(intro.photo)

    def bare(size: str, *images: str):
        from weasyprint import HTML

        tags = "".join(f'<img src="{src}" style="display:block;max-width:100%">' for src in images)
        html = f"<style>@page {{ size: {size}; margin: 0 }}</style>{tags}"

        def render():
            return HTML(string=html).write_pdf()

        return render

    def document(kind):
        builder = document_kind(kind).builder
        doc = documents[kind]

        def render():
            with scopes_disabled():
                template, context, language = builder(doc)
            return render_pdf(template=template, context=context, language=language)

        return render

    cases = [
        ("certificate (A4 landscape)", "certificate", ("A4 landscape", logo, bureau)),
        ("recruitment flyer (A5)", "recruitment_flyer", ("A5", photo, logo)),
        ("recruitment poster (A3)", "recruitment_poster", ("A3", photo, logo)),
        ("introduction flyer (A5)", "introduction_flyer", ("A5", team, logo)),
        ("introduction poster (A3)", "introduction_poster", ("A3", team, logo)),
    ]
    timings = {label: ([], []) for label, _k, _f in cases}
    sizes = {}
    try:
        for label, kind, floor_args in cases:  # warm-up: imports, fonts, caches
            sizes[label] = (len(bare(*floor_args)()), len(document(kind)()))
        for _round in range(rounds):
            for label, kind, floor_args in cases:
                for index, fn in enumerate((bare(*floor_args), document(kind))):
                    start = time.perf_counter()
                    pdf = fn()
                    timings[label][index].append((time.perf_counter() - start) * 1000)
                    assert pdf.startswith(b"%PDF")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)

    print(f"{rounds} rounds, medians, after a warm-up; floor: a bare page, same size, same images")
    print(
        f"{'document':28} {'floor ms':>9} {'doc ms':>9} {'ratio':>6} {'floor KB':>9} {'doc KB':>8}"
    )
    worst = 0.0
    for label, (floor, doc) in timings.items():
        f, d = statistics.median(floor), statistics.median(doc)
        worst = max(worst, d / f)
        fk, dk = (size / 1024 for size in sizes[label])
        print(f"{label:28} {f:9.1f} {d:9.1f} {d / f:6.2f} {fk:9.0f} {dk:8.0f}")
    verdict = "met" if worst <= TARGET else "NOT met"
    print(f"target: within {TARGET}x of the floor: {verdict} (worst {worst:.2f}x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
