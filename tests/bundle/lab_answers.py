"""Wait up to 180 seconds for JupyterLab at the URL given, and say whether it served its page.
Run by the offline install test with the bundle's Python, inside the network namespace."""

import sys
import time
import urllib.request

url = sys.argv[1]
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    try:
        page = urllib.request.urlopen(url, timeout=5).read().decode("utf-8", "replace")
    except OSError:
        time.sleep(0.5)
        continue
    if "JupyterLab" in page:
        print("JupyterLab answers at", url.split("?")[0])
        sys.exit(0)
    print("the page is not JupyterLab's:", page[:200])
    sys.exit(1)
print("JupyterLab did not answer within 180 seconds")
sys.exit(1)
