"""What the grader watches for inside the trainee's kernel. It decides no score.

Tests run in the judge, outside the kernel (judge.py), so nothing here is needed to grade
fairly. The guard only *reports*, for the instructor: at start-up it takes a baseline of the
kernel (builtins, IPython hooks and transformers, patched methods, sys hooks) and installs an
audit hook that records attempts to open instructor paths, reach the network or start
processes; at the end it says what the submission changed. It runs through `user_expressions`
and must echo a per-call random nonce; a kernel whose messaging was tampered with does not.
"""

from __future__ import annotations

import ast
import json
import secrets

KERNEL_SOURCE = r'''
import sys, json, threading, builtins, ast as _ast, warnings as _warnings
from IPython import get_ipython
_ip = get_ipython()
_ALLOWED = ("matplotlib_inline", "ipykernel", "IPython", "matplotlib", "ipywidgets", "comm")

def _mro_attrs(obj):
    out = {}
    for cls in type(obj).__mro__:
        if cls is object:
            continue
        for k, v in vars(cls).items():
            out.setdefault((cls.__qualname__, k), (cls, k, v))
    return out

def _snapshot():
    kern = getattr(_ip, "kernel", None)
    return dict(
        builtins=dict(vars(builtins)),
        itp=list(_ip.input_transformers_post), itc=list(_ip.input_transformers_cleanup),
        ast=list(_ip.ast_transformers), ip_cls=_mro_attrs(_ip), ip_inst=dict(vars(_ip)),
        k_cls=_mro_attrs(kern) if kern is not None else {}, k_inst=dict(vars(kern)) if kern is not None else {},
        s_cls=_mro_attrs(kern.session) if kern is not None else {}, s_inst=dict(vars(kern.session)) if kern is not None else {},
        excepthook=sys.excepthook, displayhook=sys.displayhook, stdout=sys.stdout, stderr=sys.stderr,
        events={k: list(v) for k, v in _ip.events.callbacks.items()}, formatter=_ip.display_formatter,
        threads={id(t) for t in threading.enumerate()},
    )

def _restore(base):
    issues = []
    for k, v in base["builtins"].items():
        if vars(builtins).get(k, base) is not v:
            issues.append("builtin `%s` was replaced" % k); setattr(builtins, k, v)
    for attr, label in (("input_transformers_post", "IPython input transformer"),
                        ("input_transformers_cleanup", "IPython input transformer")):
        cur = getattr(_ip, attr); ref = base["itp" if attr.endswith("post") else "itc"]
        if len(cur) != len(ref) or any(a is not b for a, b in zip(cur, ref)):
            issues.append("%s added or changed (%s)" % (label, attr)); cur[:] = ref
    cur = [t for t in _ip.ast_transformers if not getattr(t, "_smartseoul", False)]
    if len(cur) != len(base["ast"]) or any(a is not b for a, b in zip(cur, base["ast"])):
        issues.append("IPython AST transformer added")
    _ip.ast_transformers = list(base["ast"])
    if _ip.custom_exceptions:
        issues.append("custom exception handler set (set_custom_exc)"); _ip.set_custom_exc((), None)
    for (label, attrs, inst_keys, obj) in (("IPython", base["ip_cls"], base["ip_inst"], _ip),
                                          ("kernel", base["k_cls"], base["k_inst"], getattr(_ip, "kernel", None)),
                                          ("messaging", base["s_cls"], base["s_inst"], getattr(getattr(_ip, "kernel", None), "session", None))):
        if obj is None:
            continue
        for key, (cls, k, v) in attrs.items():
            if vars(cls).get(k, base) is not v:
                issues.append("%s method `%s` was patched" % (label, k))
                try:
                    setattr(cls, k, v)
                except (TypeError, AttributeError):
                    pass
        for k, v in list(vars(obj).items()):
            if k.startswith("_trait") or not callable(v):
                continue
            if k not in inst_keys:
                issues.append("%s method `%s` was overridden" % (label, k)); delattr(obj, k)
            elif v is not inst_keys[k] and callable(inst_keys[k]):
                issues.append("%s method `%s` was overridden" % (label, k)); setattr(obj, k, inst_keys[k])
    for name in ("excepthook", "displayhook", "stdout", "stderr"):
        if getattr(sys, name) is not base[name]:
            issues.append("sys.%s was replaced" % name); setattr(sys, name, base[name])
    if sys.gettrace() is not None:
        issues.append("a trace function was set"); sys.settrace(None)
    if sys.getprofile() is not None:
        issues.append("a profile function was set"); sys.setprofile(None)
    if _ip.display_formatter is not base["formatter"]:
        issues.append("the display formatter was replaced"); _ip.display_formatter = base["formatter"]
    for ev, cbs in _ip.events.callbacks.items():
        for cb in list(cbs):
            if cb in base["events"].get(ev, []):
                continue
            mod = getattr(cb, "__module__", "") or ""
            if mod.split(".")[0] in _ALLOWED:
                continue
            issues.append("IPython event hook on `%s`" % ev); cbs.remove(cb)
    def _user_thread(t):
        target = getattr(t, "_target", None)
        mod = getattr(target, "__module__", None) or type(t).__module__ or ""
        return mod == "__main__" or mod.startswith("__main__")
    extra = [t.name for t in threading.enumerate() if id(t) not in base["threads"] and t.is_alive() and _user_thread(t)]
    if extra:
        issues.append("background threads running: %s" % ", ".join(sorted(extra)[:5]))
    return issues

def _install_audit(hidden):
    """Record attempts to touch instructor files, reach the network or start processes.
    (Audit hooks cannot be removed once added; the OS-level isolation is what stops the attempt.)"""
    log = []
    import os
    def _hook(event, args, _log=log, _hidden=tuple(hidden), _mypid=os.getpid()):
        if len(_log) >= 40:
            return
        try:
            if event == "open":
                p = args[0]
                if isinstance(p, bytes):
                    p = p.decode("utf-8", "replace")
                if isinstance(p, str) and any(p == h or p.startswith(h + "/") for h in _hidden):
                    _log.append("opened instructor path " + p)
                elif isinstance(p, str) and p.startswith("/proc/") and p.split("/")[2].isdigit() and p.split("/")[2] != str(_mypid):
                    _log.append("read another process's " + "/".join(p.split("/")[:4]))
            elif event in ("os.listdir", "os.scandir", "glob.glob"):
                p = args[0]
                if isinstance(p, str) and any(p == h or p.startswith(h + "/") for h in _hidden):
                    _log.append("listed instructor path " + p)
            elif event == "socket.connect" and isinstance(args[1], tuple):
                _log.append("network connection to %s" % (args[1][0],))
            elif event in ("subprocess.Popen", "os.fork", "os.forkpty", "os.system", "os.posix_spawn", "os.spawn"):
                _log.append("started a process (%s)" % event)
        except Exception:
            pass
    sys.addaudithook(_hook)
    return log

_base = getattr(sys, "_smartseoul_grading_baseline", None)
if MODE == "setup":
    sys._smartseoul_grading_baseline = _snapshot()
    sys._smartseoul_grading_baseline["audit"] = _install_audit(HIDDEN)
    RESULT = NONCE + json.dumps({"issues": []})
elif _base is None:
    RESULT = NONCE + json.dumps({"issues": ["the grading baseline was removed"]})
elif MODE == "final":
    RESULT = NONCE + json.dumps({"issues": _restore(_base), "audit": list(dict.fromkeys(_base.get("audit", [])))})
else:
    RESULT = NONCE + json.dumps({"issues": ["unknown guard mode"]})
'''


def expression(mode: str, hidden: list[str] | None = None) -> tuple[str, str]:
    """A user expression running the guard in `mode` (setup or final), and its nonce."""
    nonce = "SG" + secrets.token_hex(12)
    names = {"MODE": mode, "NONCE": nonce, "HIDDEN": list(hidden or []), "__name__": "__smartseoul_guard__"}
    code = f"(lambda G: (exec({KERNEL_SOURCE!r}, G), G['RESULT'])[1])({names!r})"
    return code, nonce


def parse(reply_expr: dict | None, nonce: str) -> dict | None:
    """The guard's report, or None if it did not answer with its nonce (the kernel was tampered with)."""
    if not reply_expr or reply_expr.get("status") != "ok":
        return None
    text = reply_expr.get("data", {}).get("text/plain", "")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if not isinstance(value, str) or not value.startswith(nonce):
        return None
    try:
        return json.loads(value[len(nonce) :])
    except ValueError:
        return None
