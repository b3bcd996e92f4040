"""`make run`'s first step: one clear line for each missing system library."""

import sys

try:
    import weasyprint  # noqa: F401  (loads Pango through cffi)
except OSError as exc:
    print(
        "WeasyPrint cannot load Pango, which PDFs need. Install it: "
        "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian/Ubuntu) "
        f"or brew install pango (macOS). ({exc})"
    )
    sys.exit(1)
