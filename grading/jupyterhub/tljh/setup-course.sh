#!/usr/bin/env bash
# Set up the Smart Seoul Data Lab on a server running The Littlest JupyterHub (TLJH).
#
#   sudo bash grading/jupyterhub/tljh/setup-course.sh INSTRUCTOR_LOGIN [COURSE_ID]
#
# Run once, as root, from a checkout of the course on the TLJH server. Safe to run again.
# What it does (see grading/jupyterhub/README.md for the why):
#   1. installs the course package with its pinned versions into TLJH's user environment;
#   2. installs the shared nbgrader settings and turns the instructor tools off for everyone;
#   3. creates nbgrader's exchange folder, world-writable as nbgrader requires;
#   4. installs the hub settings (course id, exchange, JupyterLab as the default page);
#   5. gives INSTRUCTOR_LOGIN the formgrader and a copy of the course in their home;
#   6. lets INSTRUCTOR_LOGIN grade at isolation level `full`: `sudo smartseoul-grade ...` runs
#      `smartseoul grade` on their course as root (a sudo rule for that one command only);
#   7. makes what trainees must never read private: the course's .git history, exercises/
#      (solutions and hidden tests) and tests/, in the copy and in this checkout.
set -euo pipefail

INSTRUCTOR="${1:?usage: setup-course.sh INSTRUCTOR_LOGIN [COURSE_ID]}"
COURSE_ID="${2:-${SMARTSEOUL_COURSE_ID:-smart-seoul-data-lab}}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HUBCONF="$(dirname "$HERE")"
REPO="$(cd "$HUBCONF/../.." && pwd)"
USER_ENV="${TLJH_USER_ENV:-/opt/tljh/user}"
TLJH_CONFIG="${TLJH_CONFIG_DIR:-/opt/tljh/config}"
SBIN="${SMARTSEOUL_SBIN:-/usr/local/sbin}"
SUDOERS_D="${SMARTSEOUL_SUDOERS_D:-/etc/sudoers.d}"
EXCHANGE="${SMARTSEOUL_EXCHANGE_ROOT:-/srv/nbgrader/exchange}"
UNIX_INSTRUCTOR="jupyter-${INSTRUCTOR}"   # TLJH's naming of user accounts

[ "$(id -u)" -eq 0 ] || { echo "run me with sudo (I write to $USER_ENV and /srv)"; exit 1; }
[ -x "$USER_ENV/bin/pip" ] || { echo "no TLJH user environment at $USER_ENV: install TLJH first"; exit 1; }

echo ">> 1. course package into $USER_ENV (pinned by constraints.txt)"
"$USER_ENV/bin/pip" install --quiet -c "$REPO/constraints.txt" "$REPO"

echo ">> 2. shared nbgrader settings; instructor tools off for trainees"
install -d -m 0755 "$USER_ENV/etc/jupyter/labconfig"
install -m 0644 "$HUBCONF/etc/jupyter/nbgrader_config.py" "$USER_ENV/etc/jupyter/nbgrader_config.py"
install -m 0644 "$HUBCONF/etc/jupyter/jupyter_server_config.json" "$USER_ENV/etc/jupyter/jupyter_server_config.json"
install -m 0644 "$HUBCONF/etc/jupyter/labconfig/page_config.json" "$USER_ENV/etc/jupyter/labconfig/page_config.json"

echo ">> 3. exchange folder $EXCHANGE (0777, nbgrader makes each course's inbound write-only)"
install -d -m 0777 "$EXCHANGE"

echo ">> 4. hub settings (course id: $COURSE_ID)"
install -d -m 0755 "$TLJH_CONFIG/jupyterhub_config.d"
# The file is written by `smartseoul hub render` from the course settings (the same values as
# `make hub`); this cohort's course id and instructor replace the defaults.
sed -e "s/\"SMARTSEOUL_COURSE_ID\", \"smart-seoul-data-lab\")/\"SMARTSEOUL_COURSE_ID\", \"$COURSE_ID\")/" \
    -e "s/\"SMARTSEOUL_HUB_INSTRUCTORS\", \"[^\"]*\")/\"SMARTSEOUL_HUB_INSTRUCTORS\", \"$INSTRUCTOR\")/" \
  "$HERE/jupyterhub_config.d-smartseoul.py" > "$TLJH_CONFIG/jupyterhub_config.d/smartseoul.py"
IDLE_TIMEOUT="$(sed -n 's/^IDLE_TIMEOUT = \([0-9]*\).*/\1/p' "$HERE/jupyterhub_config.d-smartseoul.py")"
tljh-config set user_environment.default_app jupyterlab
tljh-config set services.cull.timeout "${IDLE_TIMEOUT:-3600}"
tljh-config add-item users.admin "$INSTRUCTOR"
tljh-config reload hub

echo ">> 5. instructor $INSTRUCTOR ($UNIX_INSTRUCTOR): formgrader on, course checkout in home"
if ! id "$UNIX_INSTRUCTOR" >/dev/null 2>&1; then
  echo "   $UNIX_INSTRUCTOR does not exist yet: log in once as $INSTRUCTOR on the hub, then rerun me"
  exit 1
fi
IHOME="$(getent passwd "$UNIX_INSTRUCTOR" | cut -d: -f6)"
install -d -o "$UNIX_INSTRUCTOR" -g "$UNIX_INSTRUCTOR" "$IHOME/.jupyter" "$IHOME/.jupyter/labconfig"
install -o "$UNIX_INSTRUCTOR" -m 0644 "$HUBCONF/instructor/jupyter/nbgrader_config.py" "$IHOME/.jupyter/nbgrader_config.py"
install -o "$UNIX_INSTRUCTOR" -m 0644 "$HUBCONF/instructor/jupyter/jupyter_server_config.json" "$IHOME/.jupyter/jupyter_server_config.json"
install -o "$UNIX_INSTRUCTOR" -m 0644 "$HUBCONF/instructor/jupyter/labconfig/page_config.json" "$IHOME/.jupyter/labconfig/page_config.json"
if [ ! -d "$IHOME/smart-seoul-data-lab" ]; then
  cp -a "$REPO" "$IHOME/smart-seoul-data-lab"
  rm -rf "$IHOME/smart-seoul-data-lab/.venv"
  chown -R "$UNIX_INSTRUCTOR:$UNIX_INSTRUCTOR" "$IHOME/smart-seoul-data-lab"
fi
COURSE="$IHOME/smart-seoul-data-lab"

echo ">> 6. 'sudo smartseoul-grade ...' grades $COURSE at isolation level full"
install -d -m 0755 "$SBIN"
cat > "$SBIN/smartseoul-grade" <<WRAP
#!/usr/bin/env bash
# Installed by setup-course.sh: smartseoul grade on $INSTRUCTOR's course, as root, so every
# submission is graded at isolation level full. The course folder is fixed here, not an argument.
set -euo pipefail
case "\${1:-}" in
  release|intake|autograde|feedback|export|report|status) ;;
  *) echo "usage: sudo smartseoul-grade release|intake|autograde|feedback|export|report|status ..."; exit 2 ;;
esac
for arg in "\$@"; do [ "\$arg" != "--course" ] || { echo "the course folder is fixed: $COURSE"; exit 2; }; done
status=0
"$USER_ENV/bin/python" -m smartseoul.cli grade --course "$COURSE" "\$@" || status=\$?
chown -R --no-dereference "$UNIX_INSTRUCTOR:$UNIX_INSTRUCTOR" "$COURSE/grading"   # results stay the instructor's
exit \$status
WRAP
chmod 0755 "$SBIN/smartseoul-grade"
install -d -m 0750 "$SUDOERS_D"
echo "$UNIX_INSTRUCTOR ALL=(root) NOPASSWD: $SBIN/smartseoul-grade" > "$SUDOERS_D/smartseoul-grade.tmp"
chmod 0440 "$SUDOERS_D/smartseoul-grade.tmp"
if command -v visudo >/dev/null 2>&1 && ! visudo -cqf "$SUDOERS_D/smartseoul-grade.tmp"; then
  rm -f "$SUDOERS_D/smartseoul-grade.tmp"; echo "   the sudo rule did not validate: not installed"; exit 1
fi
mv "$SUDOERS_D/smartseoul-grade.tmp" "$SUDOERS_D/smartseoul-grade"

echo ">> 7. private: .git history, exercises/, tests/, grading/ (in the copy and in $REPO)"
# Private but passable: the grading sandbox's kernel user must reach datasets/, src/ and the
# environment (read-only); nobody but the instructor may list the course or read the source
# notebooks, the hidden tests, the git history or the gradebook.
chmod 0711 "$IHOME" "$COURSE"
for d in .git exercises tests grading; do
  [ -e "$COURSE/$d" ] && chmod 0700 "$COURSE/$d"
  [ -e "$REPO/$d" ] && chmod o-rwx "$REPO/$d"
done
[ -e "$REPO/.git" ] && chmod -R o-rwx "$REPO/.git"
echo ">> done. $INSTRUCTOR: restart your server (File > Hub Control Panel), then Nbgrader > Formgrader;"
echo "   grade with: sudo smartseoul-grade autograde <assignment>"
