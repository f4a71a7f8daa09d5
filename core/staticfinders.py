"""Static files from npm packages: only the files the pages load, never a whole ``dist``.

``collectstatic`` used to copy (and WhiteNoise compress) the whole of echarts' ``dist`` folder,
about 167 MB of files no page asks for. ``settings.NPM_STATIC_FILES`` names each file (or glob)
a page loads, with the URL prefix it is served under; this finder offers those and nothing else,
to ``collectstatic`` and to the development server alike.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning
from django.core.files.storage import FileSystemStorage


class NpmFilesFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing: list[str] = []
        self.files: dict[str, Path] = {}  # URL path -> source file
        for prefix, (directory, patterns) in settings.NPM_STATIC_FILES.items():
            root = Path(settings.BASE_DIR) / directory
            for pattern in patterns:
                found = sorted(p for p in root.glob(pattern) if p.is_file())
                if not found:
                    self.missing.append(f"{directory}/{pattern}")
                for source in found:
                    self.files[f"{prefix}/{source.relative_to(root).as_posix()}"] = source

    def check(self, **kwargs):
        if not self.missing or getattr(settings, "TESTING", False):
            return []
        return [
            Warning(
                f"npm static file not found: {name}",
                hint="Run ./scripts/setup (npm ci) to install the pinned front-end packages.",
                id="core.W001",
            )
            for name in self.missing
        ]

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        source = self.files.get(path)
        if source is None:
            return []  # as Django's own finders answer "not here"
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for path, source in self.files.items():
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = path.rsplit("/", 1)[0]
            yield source.name, storage
