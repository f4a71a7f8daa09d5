"""collectstatic takes from the npm packages only the files the pages load (it used to copy and
compress the whole of echarts' dist folder, 167 MB)."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

VENDOR_REF = re.compile(r"""static ['"](vendor/[^'"]+)['"]""")


def referenced_vendor_files() -> set[str]:
    found = set()
    for template in Path(settings.BASE_DIR).rglob("templates/**/*.html"):
        if "node_modules" in template.parts or ".venv" in template.parts:
            continue
        found |= set(VENDOR_REF.findall(template.read_text(encoding="utf-8")))
    return found


def test_every_vendor_file_a_page_loads_is_found():
    wanted = referenced_vendor_files()
    assert "vendor/echarts/echarts.min.js" in wanted
    for path in wanted:
        assert finders.find(path), path


def test_the_rest_of_the_npm_dist_folders_is_not_offered():
    assert not finders.find("vendor/echarts/echarts.js")
    assert not finders.find("vendor/echarts/extension/bmap.js")
    assert not finders.find("vendor/htmx/htmx.js")
    offered = [
        f"{storage.prefix}/{path}"
        for finder in finders.get_finders()
        for path, storage in finder.list(None)
        if (getattr(storage, "prefix", None) or "").startswith("vendor/")
    ]
    assert "vendor/echarts/echarts.min.js" in offered
    assert len(offered) <= 12, offered


def test_collectstatic_copies_a_few_megabytes_not_the_whole_echarts_dist(tmp_path):
    storages = {
        **settings.STORAGES,
        # Hashing and rewriting (leaflet.css images, the source map) as in production; the
        # compression step is left out to keep the test quick.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    vendor = tmp_path / "vendor"
    files = [p for p in vendor.rglob("*") if p.is_file()]
    assert (vendor / "echarts" / "echarts.min.js").exists()
    assert (vendor / "leaflet" / "images" / "marker-icon.png").exists()
    assert not (vendor / "echarts" / "echarts.js").exists()
    assert not (vendor / "echarts" / "extension").exists()
    # echarts.min.js and its hashed copy are about 2 MB; the whole dist was 46 MB uncompressed.
    size = sum(p.stat().st_size for p in files)
    assert size < 6 * 1024 * 1024, f"{size / 1e6:.1f} MB in {len(files)} vendor files"
