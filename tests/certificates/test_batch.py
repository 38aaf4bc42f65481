"""Batches of certificate PDFs render in worker processes that are replaced after a number of renders, so a batch
of hundreds leaves the calling process as it was; the PDFs are the real thing."""

from __future__ import annotations

import os

from lms.certificates import batch, paths, rendering, storage
from tests.certificates.conftest import issue_certificate
from tests.certificates.test_pdf import pdf_text, squash
from tests.factories import make_cohort, make_org, make_user

NAMES = ["Zoë Ångström-Øverby", "José Núñez", "Łukasz Wąs", "محمد الأحمد", "Ada Lovelace"]


def issue_for_cohort(course, names=NAMES):
    org = make_org("Northwind")
    cohort = make_cohort(org, "Spring team")
    return [issue_certificate(make_user(org, name=name, cohort=cohort), org, course, cohort=cohort)
            for name in names]


def test_a_batch_renders_real_pdfs_in_workers_replaced_after_two_renders(app, course, tmp_path):
    certificates = issue_for_cohort(course)
    with app.test_request_context():
        items = [(rendering.printable(c), tmp_path / f"{c.code}.pdf") for c in certificates]

    done = batch.render_all(items, workers=1, renders_per_worker=2, in_process_up_to=0)

    assert done.count == 5
    assert os.getpid() not in done.worker_pids
    assert len(done.worker_pids) == 3  # five renders, two per worker: three workers in turn
    for certificate, (_, path) in zip(certificates, items, strict=True):
        text = pdf_text(path.read_bytes())
        assert squash(certificate.holder_name) in squash(text)
        assert squash(f"http://lms.test/verify/{certificate.code}") in squash(text)


def test_render_missing_goes_through_the_workers_and_stores_each_pdf_once(app, course, monkeypatch):
    certificates = issue_for_cohort(course, NAMES[:4])
    monkeypatch.setattr(batch, "IN_PROCESS_UP_TO", 2)
    seen, progress = [], []
    render_all = batch.render_all
    monkeypatch.setattr(batch, "render_all", lambda items, **kw: seen.append(done := render_all(items, **kw)) or done)

    with app.test_request_context():
        assert storage.render_missing([c.id for c in certificates],
                                      on_progress=lambda done, total: progress.append((done, total))) == 4
        assert storage.missing_pdfs(certificates) == []
        assert storage.render_missing([c.id for c in certificates]) == 0  # all stored: nothing rendered again

    assert os.getpid() not in seen[0].worker_pids
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    for certificate in certificates:
        [stored] = list(paths.store_dir().rglob(f"{certificate.code}-*.pdf"))
        assert squash(certificate.holder_name) in squash(pdf_text(stored.read_bytes()))


def test_a_few_missing_pdfs_render_in_this_process(app, course, monkeypatch):
    certificates = issue_for_cohort(course, NAMES[:2])
    seen = []
    render_all = batch.render_all
    monkeypatch.setattr(batch, "render_all", lambda items, **kw: seen.append(done := render_all(items, **kw)) or done)
    with app.test_request_context():
        assert storage.render_missing([c.id for c in certificates]) == 2
    assert seen[0].worker_pids == {os.getpid()}
